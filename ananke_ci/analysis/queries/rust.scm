; Rust facts. Capture names: see ananke_ci/analysis/extract.py.

(function_item
  name: (identifier) @function.name
  parameters: (parameters) @function.params
  return_type: (_)? @function.return_type
  body: (block) @function.body) @function.def
(function_signature_item
  name: (identifier) @function.name
  parameters: (parameters) @function.params
  return_type: (_)? @function.return_type) @function.def

(parameters (self_parameter) @param.name @param)
(parameters (parameter pattern: (_) @param.name type: (_) @param.type) @param)

(struct_item name: (type_identifier) @type.name) @type.def
(enum_item name: (type_identifier) @type.name) @type.def
(union_item name: (type_identifier) @type.name) @type.def
(trait_item name: (type_identifier) @type.name) @type.def
(type_item name: (type_identifier) @type.name) @type.def
(impl_item type: (_) @container.name) @container

(use_declaration
  argument: (scoped_identifier path: (_) @import.module name: (_) @import.name @import.bind.name))
  @import @import.bind
(use_declaration argument: (identifier) @import.module @import.bind.name) @import @import.bind
(use_declaration
  argument: (use_as_clause path: (_) @import.module alias: (_) @import.name @import.bind.local))
  @import @import.bind
(use_declaration argument: (scoped_use_list path: (_) @import.module list: (use_list (_) @import.name))) @import
; one level of `use a::b::{self, C, d::E, F as G}` (a nested list binds nothing)
(use_declaration
  argument: (scoped_use_list
              list: (use_list [(identifier) @import.bind.name (scoped_identifier) @import.bind.name
                               (self) @import.bind.name] @import.bind)))
(use_declaration
  argument: (scoped_use_list
              list: (use_list
                      (use_as_clause path: (_) @import.bind.name alias: (_) @import.bind.local)
                      @import.bind)))
(use_declaration argument: (use_wildcard (_) @import.module "*" @import.name)) @import
(extern_crate_declaration name: (identifier) @import.module) @import

(call_expression function: (_) @call)
(macro_invocation macro: (_) @call)

[(line_comment) (block_comment)] @comment

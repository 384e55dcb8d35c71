; TypeScript facts (also used for TSX). Capture names: see ananke_ci/analysis/extract.py.

(function_declaration
  name: (identifier) @function.name
  parameters: (formal_parameters) @function.params
  return_type: (type_annotation (_) @function.return_type)?
  body: (statement_block) @function.body) @function.def
(function_signature
  name: (identifier) @function.name
  parameters: (formal_parameters) @function.params
  return_type: (type_annotation (_) @function.return_type)?) @function.def
(generator_function_declaration
  name: (identifier) @function.name
  parameters: (formal_parameters) @function.params
  return_type: (type_annotation (_) @function.return_type)?
  body: (statement_block) @function.body) @function.def
(method_definition
  name: (_) @function.name
  parameters: (formal_parameters) @function.params
  return_type: (type_annotation (_) @function.return_type)?
  body: (statement_block) @function.body) @function.def
(method_signature
  name: (_) @function.name
  parameters: (formal_parameters) @function.params
  return_type: (type_annotation (_) @function.return_type)?) @function.def
(abstract_method_signature
  name: (_) @function.name
  parameters: (formal_parameters) @function.params
  return_type: (type_annotation (_) @function.return_type)?) @function.def
(variable_declarator
  name: (identifier) @function.name
  value: [(arrow_function
            parameters: (formal_parameters) @function.params
            return_type: (type_annotation (_) @function.return_type)?
            body: (_) @function.body)
          (arrow_function parameter: (identifier) @param.name @function.params body: (_) @function.body)
          (function_expression
            parameters: (formal_parameters) @function.params
            return_type: (type_annotation (_) @function.return_type)?
            body: (_) @function.body)]) @function.def

; class fields holding a function: `handle = (e: Event): void => {...}`
(public_field_definition
  name: (_) @function.name
  value: [(arrow_function
            parameters: (formal_parameters) @function.params
            return_type: (type_annotation (_) @function.return_type)?
            body: (_) @function.body)
          (arrow_function parameter: (identifier) @param.name @function.params body: (_) @function.body)]) @function.def

(formal_parameters
  [(required_parameter pattern: (_) @param.name type: (type_annotation (_) @param.type)?)
   (optional_parameter pattern: (_) @param.name type: (type_annotation (_) @param.type)?)] @param)

(class_declaration name: (type_identifier) @type.name) @type.def
(abstract_class_declaration name: (type_identifier) @type.name) @type.def
(interface_declaration name: (type_identifier) @type.name) @type.def
(enum_declaration name: (identifier) @type.name) @type.def
(type_alias_declaration name: (type_identifier) @type.name) @type.def

(import_statement
  (import_clause [(identifier) @import.name
                  (named_imports (import_specifier name: (_) @import.name !alias))
                  (named_imports (import_specifier alias: (_) @import.name))
                  (namespace_import (identifier) @import.name)])?
  source: (string) @import.module) @import
((call_expression function: (identifier) @_req arguments: (arguments . (string) @import.module)) @import
  (#eq? @_req "require"))
(export_statement source: (string) @import.module) @import
; what each import binds (see Collector._binding): a default or namespace import binds the
; module, a named one the module's name; `require` binds through its declaration
(import_clause (identifier) @import.bind.local @import.bind)
(namespace_import (identifier) @import.bind.local) @import.bind
(import_specifier name: (_) @import.bind.name alias: (_)? @import.bind.local) @import.bind
; (`const cp = require("x")`, `const ex = require("x").exec`, `const { exec: e } = ...`: told
; by their text, as reaching into the call costs ms to compile)
((variable_declarator name: (identifier) @import.bind.local value: _ @_req1) @import.bind
  (#match? @_req1 "^require\\s*\\("))
((variable_declarator
   name: (object_pattern
           [(pair_pattern key: (_) @import.bind.name value: (identifier) @import.bind.local)
            (shorthand_property_identifier_pattern) @import.bind.name] @import.bind)
   value: _ @_req2)
  (#match? @_req2 "^require\\s*\\("))
(import_statement
  (import_require_clause (identifier) @import.name @import.bind.local source: (string) @import.module)
  @import.bind) @import

(call_expression function: (_) @call)
(new_expression constructor: (_) @call)

(comment) @comment

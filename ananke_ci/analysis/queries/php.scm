; PHP facts. Capture names: see ananke_ci/analysis/extract.py.

(function_definition
  name: (name) @function.name
  parameters: (formal_parameters) @function.params
  return_type: (_)? @function.return_type
  body: (compound_statement) @function.body) @function.def
(method_declaration
  name: (name) @function.name
  parameters: (formal_parameters) @function.params
  return_type: (_)? @function.return_type
  body: (compound_statement)? @function.body) @function.def

(formal_parameters
  [(simple_parameter type: (_)? @param.type name: (variable_name) @param.name)
   (variadic_parameter type: (_)? @param.type name: (variable_name) @param.name)
   (property_promotion_parameter type: (_)? @param.type name: (variable_name) @param.name)] @param)

(class_declaration name: (name) @type.name) @type.def
(interface_declaration name: (name) @type.name) @type.def
(trait_declaration name: (name) @type.name) @type.def
(enum_declaration name: (name) @type.name) @type.def

; one import per clause; a group `use A\{B, C}` gives modules without the `A\` prefix
(namespace_use_clause
  . [(qualified_name (name) @import.tail @import.bind.name .) (name) @import.tail @import.bind.name]
  @import.module .) @import @import.bind
(namespace_use_clause
  [(qualified_name) (name)] @import.module alias: (name) @import.name @import.bind.local)
  @import @import.bind
(require_expression [(string) (encapsed_string)] @import.module) @import
(require_once_expression [(string) (encapsed_string)] @import.module) @import
(include_expression [(string) (encapsed_string)] @import.module) @import
(include_once_expression [(string) (encapsed_string)] @import.module) @import

(function_call_expression function: (_) @call)
(member_call_expression name: (_) @call.tail)
(nullsafe_member_call_expression name: (_) @call.tail)
(scoped_call_expression name: (_) @call.tail)
(object_creation_expression [(name) (qualified_name)] @call)

(comment) @comment

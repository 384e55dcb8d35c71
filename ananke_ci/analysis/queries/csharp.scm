; C# facts. Capture names: see ananke_ci/analysis/extract.py.

(method_declaration
  returns: (_) @function.return_type
  name: (identifier) @function.name
  parameters: (parameter_list) @function.params
  body: (_)? @function.body) @function.def
(constructor_declaration
  name: (identifier) @function.name
  parameters: (parameter_list) @function.params
  body: (_)? @function.body) @function.def
(local_function_statement
  type: (_) @function.return_type
  name: (identifier) @function.name
  parameters: (parameter_list) @function.params
  body: (_)? @function.body) @function.def

(parameter_list (parameter type: (_)? @param.type name: (identifier) @param.name) @param)

(class_declaration name: (identifier) @type.name) @type.def
(interface_declaration name: (identifier) @type.name) @type.def
(struct_declaration name: (identifier) @type.name) @type.def
(record_declaration name: (identifier) @type.name) @type.def
(enum_declaration name: (identifier) @type.name) @type.def

(using_directive
  name: (identifier) @import.name @import.bind.local [(qualified_name) (identifier)] @import.module)
  @import @import.bind
(using_directive !name [(qualified_name) (identifier)] @import.module) @import

(invocation_expression function: (_) @call)
(object_creation_expression type: (_) @call)

(comment) @comment

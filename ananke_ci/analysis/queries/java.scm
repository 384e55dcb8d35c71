; Java facts. Capture names: see ananke_ci/analysis/extract.py.

(method_declaration
  type: (_) @function.return_type
  name: (identifier) @function.name
  parameters: (formal_parameters) @function.params
  body: (block)? @function.body) @function.def
(constructor_declaration
  name: (identifier) @function.name
  parameters: (formal_parameters) @function.params
  body: (constructor_body) @function.body) @function.def
(compact_constructor_declaration
  name: (identifier) @function.name
  body: (block) @function.body) @function.def

(formal_parameters (formal_parameter type: (_) @param.type name: (_) @param.name) @param)
(formal_parameters (spread_parameter (_) @param.type (variable_declarator name: (_) @param.name)) @param)

(class_declaration name: (identifier) @type.name) @type.def
(interface_declaration name: (identifier) @type.name) @type.def
(enum_declaration name: (identifier) @type.name) @type.def
(record_declaration name: (identifier) @type.name) @type.def
(annotation_type_declaration name: (identifier) @type.name) @type.def

(import_declaration
  (scoped_identifier scope: (_) @import.module name: (_) @import.name @import.bind.name) .)
  @import @import.bind
(import_declaration (scoped_identifier) @import.module (asterisk) @import.name) @import

(method_invocation name: (identifier) @call.tail)
(object_creation_expression type: (_) @call)

[(line_comment) (block_comment)] @comment

; Swift facts. Capture names: see ananke_ci/analysis/extract.py.
; Parameters are direct children of the declaration (no list node), and the grammar reuses
; the field `name:` for types: the return type is the node right after "->".

(function_declaration
  name: (simple_identifier) @function.name
  "->" . (_) @function.return_type
  body: (function_body)? @function.body) @function.def
(function_declaration
  name: (simple_identifier) @function.name
  body: (function_body)? @function.body) @function.def
(protocol_function_declaration
  name: (simple_identifier) @function.name
  "->" . (_) @function.return_type) @function.def
(protocol_function_declaration name: (simple_identifier) @function.name) @function.def
(init_declaration "init" @function.name body: (function_body)? @function.body) @function.def

(parameter name: (simple_identifier) @param.name . (_) @param.type) @param

((class_declaration declaration_kind: "class" name: (type_identifier) @type.name) @type.def.class)
((class_declaration declaration_kind: "struct" name: (type_identifier) @type.name) @type.def.struct)
((class_declaration declaration_kind: "enum" name: (type_identifier) @type.name) @type.def.enum)
((class_declaration declaration_kind: "actor" name: (type_identifier) @type.name) @type.def.actor)
((protocol_declaration name: (type_identifier) @type.name) @type.def.protocol)
((typealias_declaration name: (type_identifier) @type.name) @type.def.alias)
(class_declaration declaration_kind: "extension" name: (_) @container.name) @container

(import_declaration (identifier) @import.module) @import

(call_expression . (_) @call (call_suffix))

[(comment) (multiline_comment)] @comment

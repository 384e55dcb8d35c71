; Kotlin facts. Capture names: see ananke_ci/analysis/extract.py.
; The grammar has few fields: anchors (.) pin the return type right after the parameters.

(function_declaration
  (simple_identifier) @function.name
  (function_value_parameters) @function.params
  .
  [(user_type) (nullable_type) (function_type) (parenthesized_type)]? @function.return_type
  .
  (function_body)? @function.body) @function.def
(secondary_constructor
  "constructor" @function.name
  (function_value_parameters) @function.params
  (statements)? @function.body) @function.def

(function_value_parameters
  (parameter (simple_identifier) @param.name . (_) @param.type) @param)

((class_declaration "class" (type_identifier) @type.name) @type.def.class)
((class_declaration "interface" (type_identifier) @type.name) @type.def.interface)
((object_declaration (type_identifier) @type.name) @type.def.object)
((type_alias (type_identifier) @type.name) @type.def.alias)

(import_header
  (identifier (simple_identifier) @import.tail .) @import.module
  [(wildcard_import) @import.name (import_alias (type_identifier) @import.name)]?) @import

(call_expression . (_) @call (call_suffix))

[(line_comment) (multiline_comment)] @comment

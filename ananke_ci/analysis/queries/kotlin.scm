; Kotlin facts. Capture names: see ananke_ci/analysis/extract.py.
; The grammar has few fields: anchors (.) pin the return type right after the parameters.
; Compile cost: naming a child type that may sit after the parameters, or reaching into a
; call, costs 3-15 ms each to compile for this grammar; a wildcard child told apart by a
; predicate costs well under 1 ms. benchmarks/bench_queries.py measures this.

(function_declaration
  (simple_identifier) @function.name
  (function_value_parameters) @function.params) @function.def
; the type right after the parameters (`: T`), not the body (`{...}`, `= ...`) or `where`
((function_declaration (function_value_parameters) . (_) @function.return_type)
  (#not-match? @function.return_type "^([{=]|where\\b)"))
((function_declaration (_) @function.body .)
  (#match? @function.body "^[{=]"))
(secondary_constructor
  "constructor" @function.name
  (function_value_parameters) @function.params
  (statements)? @function.body) @function.def

(function_value_parameters
  (parameter (simple_identifier) @param.name . (_) @param.type) @param)

((class_declaration _ @_kind . (type_identifier) @type.name) @type.def.class
  (#eq? @_kind "class"))
((class_declaration _ @_kind . (type_identifier) @type.name) @type.def.interface
  (#eq? @_kind "interface"))
((object_declaration (type_identifier) @type.name) @type.def.object)
((type_alias (type_identifier) @type.name) @type.def.alias)

(import_header
  (identifier (simple_identifier) @import.tail .) @import.module
  [(wildcard_import) @import.name (import_alias (type_identifier) @import.name)]?) @import
; `import a.b.C` binds C, `import a.b.C as D` D, `import a.b.*` nothing (a `*` name); no
; anchor after the path: a comment may end the header
(import_header
  (identifier (simple_identifier) @import.bind.name .)
  [(wildcard_import) @import.bind.name (import_alias (type_identifier) @import.bind.local)]?)
  @import.bind

; the callee is the call's first named child (before its call_suffix)
(call_expression) @call.first

[(line_comment) (multiline_comment)] @comment

; Swift facts. Capture names: see ananke_ci/analysis/extract.py.
; Parameters are direct children of the declaration (no list node), and the grammar reuses
; the field `name:` for types: the return type is the node right after "->".
; Compile cost: a pattern that must look past a declaration's parameters (default values
; are whole expressions) or into a call costs 5-15 ms each to compile for this grammar, so
; children are matched with wildcards and told apart by predicates, parts sit in patterns
; of their own (paired to their def by walking up, see _collect.py), and a body is any
; `function_body` (its def is its parent). benchmarks/bench_queries.py measures this.

; the name right after "func"; an operator function (`static func ==`) is not taken
((function_declaration _ @_func . _ @function.name) @function.def
  (#eq? @_func "func")
  (#match? @function.name "^[^-/=+!*%<>&|^~?.]"))
((function_declaration _ @_arrow . (_) @function.return_type)
  (#eq? @_arrow "->"))
((protocol_function_declaration _ @_func . _ @function.name) @function.def
  (#eq? @_func "func")
  (#match? @function.name "^[^-/=+!*%<>&|^~?.]"))
((protocol_function_declaration _ @_arrow . (_) @function.return_type)
  (#eq? @_arrow "->"))
(init_declaration "init" @function.name) @function.def
(function_body) @function.body

(parameter name: (simple_identifier) @param.name . (_) @param.type) @param

((class_declaration declaration_kind: _ @_kind name: (_) @type.name) @type.def.class
  (#eq? @_kind "class"))
((class_declaration declaration_kind: _ @_kind name: (_) @type.name) @type.def.struct
  (#eq? @_kind "struct"))
((class_declaration declaration_kind: _ @_kind name: (_) @type.name) @type.def.enum
  (#eq? @_kind "enum"))
((class_declaration declaration_kind: _ @_kind name: (_) @type.name) @type.def.actor
  (#eq? @_kind "actor"))
((protocol_declaration name: (type_identifier) @type.name) @type.def.protocol)
((typealias_declaration name: (type_identifier) @type.name) @type.def.alias)
((class_declaration declaration_kind: _ @_kind name: (_) @container.name) @container
  (#eq? @_kind "extension"))

(import_declaration (identifier) @import.module) @import

; the callee is the call's first named child
(call_expression) @call.first

[(comment) (multiline_comment)] @comment

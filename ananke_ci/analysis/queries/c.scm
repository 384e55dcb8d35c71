; C facts. Capture names: see ananke_ci/analysis/extract.py.
; A parameter's @param.type is the whole declaration: the extractor cuts the name out of it,
; so `const char *s` gives name "s", type "const char *".
; Free prototypes (`int f(void);`) are not functions: the definition is.
; Compile cost: a pattern that reaches from a function_definition into its declarator costs
; 5-20 ms to compile, so the name and parameters are matched at the function_declarator
; and paired to the definition above it by walking up (see _collect.py).
; benchmarks/bench_queries.py measures this. (A wildcard node with children of its own,
; `(_ declarator: (identifier))`, is not checked by tree-sitter's query analysis: captures
; of matches that then fail come out, so the parameter shapes stay spelled out.)

; a declarator `name(...)`, `*name(...)` (what other code can call by name); a macro or a
; C++ header misread as C gives other declarators
((function_definition type: _ @function.return_type declarator: _ @_declarator) @function.def
  (#match? @_declarator "^(\\*\\s*((const|volatile|restrict)\\s+)*)*[A-Za-z_]\\w*\\s*\\("))
((function_definition _ @function.body .)
  (#match? @function.body "^[{]"))
(function_declarator
  declarator: (identifier) @function.name
  parameters: (parameter_list) @function.params)

(parameter_list
  (parameter_declaration
    declarator: [(identifier) @param.name
                 (pointer_declarator declarator: (identifier) @param.name)
                 (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @param.name))
                 (array_declarator declarator: (identifier) @param.name)
                 (pointer_declarator declarator: (array_declarator declarator: (identifier) @param.name))
                 (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (identifier) @param.name)))]) @param @param.type)
(parameter_list (parameter_declaration !declarator type: (_) @param.type) @param)

(struct_specifier name: (type_identifier) @type.name body: (_)) @type.def
(union_specifier name: (type_identifier) @type.name body: (_)) @type.def
(enum_specifier name: (type_identifier) @type.name body: (_)) @type.def
((type_definition declarator: (type_identifier) @type.name) @type.def.typedef)

(preproc_include path: (_) @import.module) @import

; the callee is the call's first named child
(call_expression) @call.first

(comment) @comment

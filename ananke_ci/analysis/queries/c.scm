; C facts. Capture names: see ananke_ci/analysis/extract.py.
; A parameter's @param.type is the whole declaration: the extractor cuts the name out of it,
; so `const char *s` gives name "s", type "const char *".
; Free prototypes (`int f(void);`) are not functions: the definition is.

(function_definition
  type: (_) @function.return_type
  declarator: [(function_declarator
                 declarator: (identifier) @function.name
                 parameters: (parameter_list) @function.params)
               (pointer_declarator
                 declarator: (function_declarator
                   declarator: (identifier) @function.name
                   parameters: (parameter_list) @function.params))
               (pointer_declarator
                 declarator: (pointer_declarator
                   declarator: (function_declarator
                     declarator: (identifier) @function.name
                     parameters: (parameter_list) @function.params)))]
  body: (compound_statement) @function.body) @function.def

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

(call_expression function: (_) @call)

(comment) @comment

; C++ facts. Capture names: see ananke_ci/analysis/extract.py.
; A parameter's @param.type is the whole declaration: the extractor cuts the name out of it.
; Member declarations in a class body are functions without body; free prototypes are not.

(function_definition
  type: (_)? @function.return_type
  declarator: [(function_declarator
                 declarator: [(identifier) @function.name
                              (field_identifier) @function.name
                              (destructor_name) @function.name
                              (operator_name) @function.name
                              (qualified_identifier scope: (_) @function.container name: (_) @function.name)]
                 parameters: (parameter_list) @function.params)
               (pointer_declarator
                 declarator: (function_declarator
                   declarator: [(identifier) @function.name
                                (field_identifier) @function.name
                                (qualified_identifier scope: (_) @function.container name: (_) @function.name)]
                   parameters: (parameter_list) @function.params))
               (reference_declarator
                 (function_declarator
                   declarator: [(identifier) @function.name
                                (field_identifier) @function.name
                                (qualified_identifier scope: (_) @function.container name: (_) @function.name)]
                   parameters: (parameter_list) @function.params))]
  body: (compound_statement)? @function.body) @function.def

(field_declaration
  type: (_) @function.return_type
  declarator: (function_declarator
    declarator: (field_identifier) @function.name
    parameters: (parameter_list) @function.params)) @function.def

(parameter_list
  [(parameter_declaration
     declarator: [(identifier) @param.name
                  (pointer_declarator declarator: (identifier) @param.name)
                  (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @param.name))
                  (reference_declarator (identifier) @param.name)
                  (array_declarator declarator: (identifier) @param.name)])
   (optional_parameter_declaration
     declarator: [(identifier) @param.name
                  (pointer_declarator declarator: (identifier) @param.name)
                  (reference_declarator (identifier) @param.name)])] @param @param.type)
(parameter_list (parameter_declaration !declarator type: (_) @param.type) @param)

(class_specifier name: (_) @type.name body: (_)) @type.def
(struct_specifier name: (_) @type.name body: (_)) @type.def
(union_specifier name: (_) @type.name body: (_)) @type.def
(enum_specifier name: (_) @type.name body: (_)) @type.def
((alias_declaration name: (type_identifier) @type.name) @type.def.alias)
((type_definition declarator: (type_identifier) @type.name) @type.def.typedef)

(preproc_include path: (_) @import.module) @import
(using_declaration (_) @import.module) @import
; `using std::system;` binds system (`using namespace a::b;` binds nothing)
((using_declaration (qualified_identifier) @import.bind.name) @import.bind
  (#not-match? @import.bind "^using\\s+namespace\\b"))

(call_expression function: (_) @call)
(new_expression type: (_) @call)

(comment) @comment

; Zig facts. Capture names: see ananke_ci/analysis/extract.py.
; The grammar is CamelCase and field-poor: a function is a Decl holding FnProto + Block,
; the return type is every node after the parameter list (taken first to last).

(Decl
  (FnProto
    function: (IDENTIFIER) @function.name
    (ParamDeclList) @function.params
    "!"? @function.return_type
    (_)* @function.return_type)
  (Block)? @function.body) @function.def

(ParamDeclList
  (ParamDecl parameter: (IDENTIFIER) @param.name (ParamType) @param.type) @param)

((VarDecl
   variable_type_function: (IDENTIFIER) @type.name
   (ErrorUnionExpr (SuffixExpr (ContainerDecl (ContainerDeclType) @_kind)))) @type.def.struct
  (#match? @_kind "^struct"))
((VarDecl
   variable_type_function: (IDENTIFIER) @type.name
   (ErrorUnionExpr (SuffixExpr (ContainerDecl (ContainerDeclType) @_kind)))) @type.def.enum
  (#match? @_kind "^enum"))
((VarDecl
   variable_type_function: (IDENTIFIER) @type.name
   (ErrorUnionExpr (SuffixExpr (ContainerDecl (ContainerDeclType) @_kind)))) @type.def.union
  (#match? @_kind "^(union|opaque)"))

((VarDecl
   variable_type_function: (IDENTIFIER) @import.name
   (ErrorUnionExpr
     (SuffixExpr
       (BUILTINIDENTIFIER) @_builtin
       (FnCallArguments (ErrorUnionExpr (SuffixExpr (STRINGLITERALSINGLE) @import.module)))))) @import
  (#eq? @_builtin "@import"))

(SuffixExpr [(IDENTIFIER) (BUILTINIDENTIFIER)] @call . (FnCallArguments))
; `a.b.f(x)`: the callee runs from the start of the SuffixExpr to `f` (see _collect.py)
(FieldOrFnCall function_call: (IDENTIFIER) @call.tail (FnCallArguments))

[(line_comment) (doc_comment) (container_doc_comment)] @comment

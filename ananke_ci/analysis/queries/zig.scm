; Zig facts. Capture names: see ananke_ci/analysis/extract.py.
; The grammar is CamelCase and field-poor: a function is a Decl holding FnProto + Block,
; the return type is every node after the parameter list (taken first to last).
; Compile cost: a pattern that names a child of a Decl or of a VarDecl after its name, or
; that starts at a SuffixExpr, makes tree-sitter walk the expression grammar (5-60 ms each
; here), so those nodes are recognised by their text (#match?), their parts are captured by
; patterns of their own, paired to them by walking up (see _collect.py), and expression
; patterns start at the ErrorUnionExpr above. benchmarks/bench_queries.py measures this.

((Decl) @function.def
  (#match? @function.def "^((export|extern|inline|noinline)\\s+(\"[^\"]*\"\\s+)?)?fn\\s"))
(FnProto
  function: (IDENTIFIER) @function.name
  (ParamDeclList) @function.params
  "!"? @function.return_type
  (_)* @function.return_type)
((Decl _ @function.body .)
  (#match? @function.body "^[{]"))

(ParamDeclList
  (ParamDecl parameter: (IDENTIFIER) @param.name (ParamType) @param.type) @param)

; `const Name = struct {...}` (also `packed struct`, `enum(u8)`, `union(enum)`, `opaque`), and
; as the original structural pattern did, a container right after `:` or `= [_]`
((VarDecl variable_type_function: (IDENTIFIER) @type.name) @type.def.struct
  (#match? @type.def.struct "^[^=:]*(:|(:[^=]*)?=)\\s*((\\[[^\\]]*\\]|[?*]|(const|volatile|allowzero)\\s|(align|addrspace)\\s*\\((\\([^)]*\\)|[^()])*\\))\\s*)*((extern|packed)\\s+)?struct\\b"))
((VarDecl variable_type_function: (IDENTIFIER) @type.name) @type.def.enum
  (#match? @type.def.enum "^[^=:]*(:|(:[^=]*)?=)\\s*((\\[[^\\]]*\\]|[?*]|(const|volatile|allowzero)\\s|(align|addrspace)\\s*\\((\\([^)]*\\)|[^()])*\\))\\s*)*((extern|packed)\\s+)?enum\\b"))
((VarDecl variable_type_function: (IDENTIFIER) @type.name) @type.def.union
  (#match? @type.def.union "^[^=:]*(:|(:[^=]*)?=)\\s*((\\[[^\\]]*\\]|[?*]|(const|volatile|allowzero)\\s|(align|addrspace)\\s*\\((\\([^)]*\\)|[^()])*\\))\\s*)*((extern|packed)\\s+)?(union|opaque)\\b"))

; `const std = @import("std")`: the module is the string in the @import call
; `const x = @import("m")` binds x to m, `const y = @import("m").sub` y to m.sub
((VarDecl variable_type_function: (IDENTIFIER) @import.name @import.bind.local) @import @import.bind
  (#match? @import "^[^=]*=\\s*@import\\s*\\("))
;  ErrorUnionExpr > SuffixExpr > @import FnCallArguments > ErrorUnionExpr > SuffixExpr > string
((ErrorUnionExpr
   . (_ . (_) @_builtin . (_ . (_ . (_ . (STRINGLITERALSINGLE) @import.module)))))
  (#eq? @_builtin "@import"))

; `f(x)`, `@panic(x)`: a SuffixExpr (always right under an ErrorUnionExpr: naming the
; ErrorUnionExpr and leaving the SuffixExpr a wildcard compiles ten times faster)
(ErrorUnionExpr (_ . [(IDENTIFIER) (BUILTINIDENTIFIER)] @call . (FnCallArguments)))
; `a.b.f(x)`: the callee runs from the start of the SuffixExpr to `f` (see _collect.py)
(FieldOrFnCall function_call: (IDENTIFIER) @call.tail (FnCallArguments))

[(line_comment) (doc_comment) (container_doc_comment)] @comment

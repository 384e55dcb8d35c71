; Ruby facts. Capture names: see ananke_ci/analysis/extract.py. Ruby has no type annotations.

(method
  name: (_) @function.name
  parameters: (method_parameters)? @function.params
  body: (body_statement)? @function.body) @function.def
(singleton_method
  name: (_) @function.name
  parameters: (method_parameters)? @function.params
  body: (body_statement)? @function.body) @function.def

(method_parameters (identifier) @param.name @param)
(method_parameters
  [(optional_parameter name: (_) @param.name)
   (keyword_parameter name: (_) @param.name)
   (splat_parameter name: (_) @param.name)
   (hash_splat_parameter name: (_) @param.name)
   (block_parameter name: (_) @param.name)] @param)

(class name: (_) @type.name) @type.def
(module name: (_) @type.name) @type.def

; `method: _`, not `method: (_)` (the same nodes: a method is always a named node): ~7% fewer
; instructions to compile the whole query (callgrind; wall times on a shared machine vary more)
((call method: _ @_m arguments: (argument_list . (string) @import.module)) @import
  (#any-of? @_m "require" "require_relative" "load"))

(call method: _ @call.tail)

(comment) @comment

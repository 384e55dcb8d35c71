; Python facts. Capture names: see ananke_ci/analysis/extract.py.

(function_definition
  name: (identifier) @function.name
  parameters: (parameters) @function.params
  return_type: (_)? @function.return_type
  body: (block) @function.body) @function.def

(parameters (identifier) @param.name @param)
(parameters (typed_parameter (identifier) @param.name type: (_) @param.type) @param)
(parameters (default_parameter name: (identifier) @param.name) @param)
(parameters (typed_default_parameter name: (identifier) @param.name type: (_) @param.type) @param)
(parameters (list_splat_pattern) @param.name @param)
(parameters (dictionary_splat_pattern) @param.name @param)
(parameters (typed_parameter (list_splat_pattern) @param.name type: (_) @param.type) @param)
(parameters (typed_parameter (dictionary_splat_pattern) @param.name type: (_) @param.type) @param)

(class_definition name: (identifier) @type.name) @type.def

; `import a.b` binds a; `import a.b as c` binds c to a.b; `from m import x as y` y to m.x
(import_statement
  name: (dotted_name . (identifier) @import.bind.name) @import.module @import.bind) @import
(import_statement
  name: (aliased_import
          name: (dotted_name) @import.module
          alias: (identifier) @import.name @import.bind.local) @import.bind) @import
(import_from_statement
  module_name: (_) @import.module
  name: [(dotted_name) @import.name @import.bind.name @import.bind
         (aliased_import
           name: (dotted_name) @import.bind.name
           alias: (identifier) @import.name @import.bind.local) @import.bind]) @import
(import_from_statement
  module_name: (_) @import.module
  (wildcard_import) @import.name) @import
(future_import_statement name: (dotted_name) @import.name) @import

(call function: (_) @call)

; `run = os.system`, `e = eval` (the collector keeps dotted chains of identifiers only)
; (not under expression_statement: naming it costs 2 ms to compile)
(assignment left: (identifier) @alias.name right: [(identifier) (attribute)] @alias.value) @alias

(comment) @comment

; Go facts. Capture names: see ananke_ci/analysis/extract.py.

(function_declaration
  name: (identifier) @function.name
  parameters: (parameter_list) @function.params
  result: (_)? @function.return_type
  body: (block)? @function.body) @function.def
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @function.container
             (pointer_type (type_identifier) @function.container)
             (generic_type type: (type_identifier) @function.container)
             (pointer_type (generic_type type: (type_identifier) @function.container))]))
  name: (field_identifier) @function.name
  parameters: (parameter_list) @function.params
  result: (_)? @function.return_type
  body: (block)? @function.body) @function.def
(method_elem
  name: (field_identifier) @function.name
  parameters: (parameter_list) @function.params
  result: (_)? @function.return_type) @function.def

(parameter_list (parameter_declaration name: (identifier) @param.name type: (_) @param.type) @param)
(parameter_list (parameter_declaration !name type: (_) @param.type) @param)
(parameter_list (variadic_parameter_declaration name: (identifier) @param.name type: (_) @param.type) @param)

((type_spec name: (type_identifier) @type.name type: (struct_type)) @type.def.struct)
((type_spec name: (type_identifier) @type.name type: (interface_type)) @type.def.interface)
((type_spec name: (type_identifier) @type.name type: [(type_identifier) (qualified_type) (generic_type) (pointer_type) (slice_type) (map_type) (function_type) (array_type) (channel_type)]) @type.def.type)
((type_alias name: (type_identifier) @type.name) @type.def.alias)

(import_spec name: (_)? @import.name path: (_) @import.module) @import
; `import x "os/exec"` binds x; without a name the package's last path segment (not `.`, `_`)
(import_spec name: (package_identifier) @import.bind.local) @import.bind
(import_spec !name path: (_) @import.bind.name) @import.bind

(call_expression function: (_) @call)

(comment) @comment

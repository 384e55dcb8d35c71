"""Turn the captures of one combined fact query into fact rows (see rows.py).

The query runs with `captures()` (one flat list per capture name, not in source order),
not `matches()`: building a dict per match cost more than the query itself. Captures that
belong together (a def and its name, an import and its module) are paired back up by
walking up from the part to the nearest captured owner, a few levels at most. A call needs
no pairing: @call is the callee node itself, or @call.first is the call whose first named
child is the callee (grammars without a callee field: a pattern that reaches into the call
costs tens of ms to compile there, one that only names the call costs nothing).
"""

from __future__ import annotations

from collections.abc import Container
from sys import intern

from tree_sitter import Node

from ananke_ci.analysis._text import SourceText, fold
from ananke_ci.analysis.holes import FunctionNodes
from ananke_ci.analysis.rows import (
    AliasRow,
    BindingRow,
    CallRow,
    CommentRow,
    ImportRow,
    ParamRow,
    TypeRow,
)

_TYPE_SUFFIXES = ("_declaration", "_definition", "_item", "_specifier", "_spec")
_QUOTES = "\"'`<>"
_SEPARATORS = ".:\\/"
_TYPE_DEF = "type.def"
_DEPTH = 8  # how far above a part its owner may be (C: name < declarator < pointer < def)
_FN_PARTS = ("function.name", "function.params", "function.body", "function.container")
_RECEIVERS = frozenset({"self", "cls"})  # `x = self.y` rebinds an attribute, not a callable

Caps = dict[str, list[Node]]


def _unique(nodes: list[Node]) -> list[Node]:
    """Drop a node captured twice (by two patterns); keep the capture (source) order."""
    if len(nodes) < 2:
        return nodes
    return list({node.id: node for node in nodes}.values())


def _owner(node: Node, owners: dict[int, int], depth: int, itself: bool = False) -> int:
    """Index of the nearest ancestor (within `depth` levels) that is one of `owners`, else -1.

    Parts sit right under their owner in nearly every grammar (a callee under its call);
    C declarators and Zig prototypes nest a few levels deeper. With `itself`, the node
    counts as the first level. (`.parent` costs a walk down from the root: none is asked
    for beyond the last level.)
    """
    if itself:
        found = owners.get(node.id)
        if found is not None:
            return found
        depth -= 1
    current = node.parent
    while current is not None and depth > 0:
        found = owners.get(current.id)
        if found is not None:
            return found
        depth -= 1
        if depth:
            current = current.parent
    return -1


def _parts(
    owners: list[Node],
    caps: Caps,
    name: str,
    depth: int = _DEPTH,
    itself: bool = True,
    index: dict[int, int] | None = None,
) -> list[list[Node]]:
    """The nodes captured as `name`, each handed to its nearest owner."""
    out: list[list[Node]] = [[] for _ in owners]
    nodes = caps.get(name)
    if nodes:
        if index is None:
            index = {node.id: i for i, node in enumerate(owners)}
        for node in _unique(nodes):
            owner = _owner(node, index, depth, itself)
            if owner >= 0:
                group = out[owner]
                group.append(node)
                if len(group) > 1 and group[-2].start_byte > node.start_byte:
                    group.sort(key=_node_start)
    return out


def _node_start(node: Node) -> int:
    return node.start_byte


class Collector:
    """Fact rows of one file, from the capture dict of its combined query."""

    def __init__(self, text: SourceText) -> None:
        self.text = text
        self.function_nodes: list[FunctionNodes] = []
        self.types: list[TypeRow] = []
        self.imports: list[ImportRow] = []
        self.calls: list[CallRow] = []
        self.comments: list[CommentRow] = []
        self.aliases: list[AliasRow] = []

    def run(self, caps: Caps) -> Collector:
        text = self.text
        self._calls(caps)
        self.comments = [
            (text.text(node), text.span(node)) for node in _unique(caps.get("comment", []))
        ]
        owners = self._types(caps)
        self._imports(caps)
        self._aliases(caps)
        self._functions(caps, owners)
        # capture lists come grouped by pattern, not in source order
        self.calls.sort(key=_call_start)
        self.comments.sort(key=_comment_start)
        self.types.sort(key=_span_start)
        self.imports.sort(key=_span_start)
        self.aliases.sort(key=_span_start)
        self.function_nodes.sort(key=_function_start)
        return self

    def _calls(self, caps: Caps) -> None:
        """@call is the callee itself (or the first named child of a @call.first); @call.tail
        ends a callee that starts where the tail's parent does (Java `obj.method`, Ruby
        `recv.meth`). A parent that starts with "." (Zig `.f(...)`) is a suffix: the callee
        starts at the grandparent."""
        text = self.text
        src = text.src
        span_for = text.span
        calls = self.calls
        seen: set[tuple[int, int]] = set()  # by range: one call per callee text
        callees = caps.get("call", [])
        whole = caps.get("call.first")
        if whole:
            callees = callees + [n for n in (c.named_child(0) for c in whole) if n is not None]
        for node in callees:
            start = node.start_byte
            end = node.end_byte
            key = (start, end)
            if key in seen:
                continue
            seen.add(key)
            written = src[start:end].decode("utf-8", "replace")
            if " " in written or "\n" in written:
                written = fold(written)
            span = span_for(node)
            # interned: a callee repeats, and marshal writes a repeat as a reference
            calls.append((intern(written), span))
        for tail in caps.get("call.tail", ()):
            parent = tail.parent
            if parent is None or (tail.start_byte, tail.end_byte) in seen:
                continue
            seen.add((tail.start_byte, tail.end_byte))
            if src[parent.start_byte : parent.start_byte + 1] == b"." and parent.parent:
                parent = parent.parent
            start, end = parent.start_byte, tail.end_byte
            span = text.span_of(start, end, parent.start_point, tail.end_point)
            calls.append((fold(text.slice(start, end)), span))

    def _types(self, caps: Caps) -> dict[int, tuple[str, Node]]:
        """Record type definitions; return every method owner: node id -> (name, node)."""
        text = self.text
        owners: dict[int, tuple[str, Node]] = {}
        kinds: dict[int, str] = {}
        defs: list[Node] = []
        for capture, nodes in caps.items():
            # `@type.def.struct` says the kind; a bare `@type.def` takes it from the node type
            if capture.startswith(_TYPE_DEF):
                kind = capture[len(_TYPE_DEF) + 1 :]
                for node in nodes:
                    kinds.setdefault(node.id, kind or _kind_of(node.type))
                    defs.append(node)
        defs = _unique(defs)
        for node, names in zip(defs, _parts(defs, caps, "type.name"), strict=True):
            if names:
                name = text.text(names[0])
                self.types.append((name, kinds[node.id], text.span(node)))
                owners[node.id] = (_owner_name(name), node)
        containers = _unique(caps.get("container", []))
        for node, names in zip(containers, _parts(containers, caps, "container.name"), strict=True):
            if names:
                owners[node.id] = (_owner_name(text.text(names[0])), node)
        return owners

    def _imports(self, caps: Caps) -> None:
        imports = caps.get("import")
        if not imports:
            return
        text = self.text
        imports = _unique(imports)
        index = {node.id: i for i, node in enumerate(imports)}
        modules_of = _parts(imports, caps, "import.module", index=index)
        names_of = _parts(imports, caps, "import.name", index=index)
        tails_of = _parts(imports, caps, "import.tail", index=index)
        binds_of = _binds(imports, caps, index)
        rows = zip(imports, modules_of, names_of, tails_of, binds_of, strict=True)
        for node, modules, names, tails, binds in rows:
            span = text.span(node)
            if not modules:
                self.imports.append(("", tuple(fold(text.text(n)) for n in names), span, ()))
                continue
            # @import.tail: the last path segment, the bound name unless one is captured
            bound = names or tails
            found: list[tuple[str, tuple[str, ...]]] = []  # (module, names) per module
            for i, module in enumerate(modules):
                # `import a as b, c as d`: a name goes with the module just before it
                after = modules[i + 1].start_byte if i + 1 < len(modules) else 1 << 62
                mine = [n for n in bound if n.start_byte < after]
                if i > 0:
                    mine = [n for n in mine if n.start_byte >= module.start_byte]
                end = module.end_byte
                if mine and mine[-1].end_byte == end > mine[-1].start_byte:
                    # `import a.b.C` binds C from a.b
                    raw = text.slice(module.start_byte, mine[-1].start_byte).rstrip(_SEPARATORS)
                else:
                    raw = text.slice(module.start_byte, end).strip(_QUOTES)
                written: list[str] = []
                for name_node in mine:
                    name = fold(text.text(name_node))
                    if name not in written:
                        written.append(name)
                found.append((fold(raw), tuple(written)))
            bindings: list[list[BindingRow]] = [[] for _ in modules]
            for bind, what, local in binds:
                i = _module_of(bind, modules)
                binding = self._binding(bind, modules[i], found[i][0], what, local)
                if binding is not None and binding not in bindings[i]:
                    bindings[i].append(binding)
            for (raw, written_names), pairs in zip(found, bindings, strict=True):
                self.imports.append((raw, written_names, span, tuple(pairs)))

    def _binding(
        self, bind: Node, module: Node, raw: str, name: Node | None, local: Node | None
    ) -> BindingRow | None:
        """(local name, qualified target) of one binding of an import of `module`: a name
        inside the module's own text qualifies as far as it reaches (`import a.b` binds a), one
        outside it is joined on with the separator written after the module (`std::io::{..}`),
        no name stands for the module, or for a member of it when the bind goes on past the
        call that imports it (`const ex = require("x").exec`); without a local name, the
        name's last segment is bound (Go `import "os/exec"`: the name is the path)."""
        text = self.text
        written = "" if name is None else text.text(name)
        if name is None or written == "self":  # Rust `use a::b::{self}` binds b
            if local is None and name is None:
                return None  # a bind captured alone, by a match that then failed
            target = raw
            tail = "".join(text.slice(module.end_byte, bind.end_byte).split())
            if name is None and tail[:1] == ")":  # `= require("x")...`, `= @import("x")...`
                member = tail[1:].rstrip(";")
                if member and not (
                    member[:1] == "." and all(part.isidentifier() for part in member[1:].split("."))
                ):
                    return None  # `require("x")(y)`, `require("x")[k]`: not a name
                target = raw + member
        elif module.start_byte <= name.start_byte and name.end_byte <= module.end_byte:
            target = text.slice(module.start_byte, name.end_byte).strip(_QUOTES)
        else:
            after = text.slice(module.end_byte, module.end_byte + 2)
            sep = "::" if after == "::" else after[:1] if after[:1] in ".\\" else "."
            target = raw + written if not raw or raw.endswith(".") else raw + sep + written
        target = fold(target)
        bound = fold(text.text(local)) if local is not None else _last_segment(target)
        if not target or bound in ("", "_", ".", "*"):
            return None
        return bound, target

    def _aliases(self, caps: Caps) -> None:
        """`name = a.b.c` (an identifier or a dotted chain of them on the right)."""
        nodes = caps.get("alias")
        if not nodes:
            return
        text = self.text
        nodes = _unique(nodes)
        names = _parts(nodes, caps, "alias.name", depth=2)
        values = _parts(nodes, caps, "alias.value", depth=2)
        for node, name, value in zip(nodes, names, values, strict=True):
            if name and value:
                target = "".join(text.text(value[0]).split())
                if all(part.isidentifier() for part in target.split(".")) and (
                    target.split(".", 1)[0] not in _RECEIVERS
                ):
                    self.aliases.append((text.text(name[0]), target, text.span(node)))

    def _functions(self, caps: Caps, owners: dict[int, tuple[str, Node]]) -> None:
        defs = caps.get("function.def")
        if not defs:
            return
        text = self.text
        defs = _unique(defs)
        def_ids = {node.id: i for i, node in enumerate(defs)}
        parts = {name: _parts(defs, caps, name, index=def_ids) for name in _FN_PARTS}
        returns = _parts(defs, caps, "function.return_type", index=def_ids)
        params = self._params(defs, caps, parts["function.params"], def_ids)
        for i, node in enumerate(defs):
            body = _first(parts["function.body"][i])
            name_node = _first(parts["function.name"][i])
            explicit = _first(parts["function.container"][i])
            container: str | None
            container_node: Node | None = None
            if explicit is not None:
                container = _owner_name(text.text(explicit))
            else:
                container, container_node = _enclosing_owner(node, owners, def_ids)
            ret = returns[i]  # may be several nodes (Zig): first to last
            function = (
                text.text(name_node) if name_node is not None else "<anonymous>",
                tuple(params[i]),
                _return_type(text, ret) if ret else None,
                text.span(node),
                text.span(body) if body is not None else None,
                _signature(text, node, body),
                container,
            )
            self.function_nodes.append(FunctionNodes(function, node, body, container_node))

    def _params(
        self, defs: list[Node], caps: Caps, lists: list[list[Node]], def_ids: dict[int, int]
    ) -> list[list[ParamRow]]:
        """Parameters per def; only those inside the def's parameter list when it has one
        (a Go receiver is not a parameter)."""
        text = self.text
        params = _unique(caps.get("param", []))
        names = _parts(params, caps, "param.name")
        types = _parts(params, caps, "param.type")
        found: list[tuple[Node, Node | None, Node | None]] = [
            (node, _first(n), _first(t)) for node, n, t in zip(params, names, types, strict=True)
        ]
        # a @param.name outside any @param is a parameter by itself (`x => x`)
        claimed = {n.id for group_names in names for n in group_names}
        for node in caps.get("param.name", ()):
            if node.id not in claimed:
                claimed.add(node.id)
                found.append((node, node, None))
        out: list[list[ParamRow]] = [[] for _ in defs]
        if not found:
            return out
        found.sort(key=lambda item: item[0].start_byte)
        # a parameter sits right under its list (or its def, when the grammar has no list)
        index = dict(def_ids)
        for i, plist in enumerate(lists):
            if plist:
                index[plist[0].id] = i
        for node, name_node, type_node in found:
            owner = _owner(node, index, _DEPTH, itself=True)
            if owner < 0:
                continue
            plist = lists[owner]
            if plist and not (
                plist[0].start_byte <= node.start_byte and node.end_byte <= plist[0].end_byte
            ):
                continue
            if name_node is not None:
                name = fold(text.text(name_node))
            else:  # a type-only parameter (Go, C prototypes) has no name
                name = "" if type_node is not None else fold(text.text(node))
            ptype = _param_type(text, type_node, name_node) if type_node is not None else None
            out[owner].append((name, ptype))
        return out


def _call_start(call: CallRow) -> tuple[int, int]:
    return call[1][4], -call[1][5]


def _comment_start(row: CommentRow) -> int:
    return row[1][4]


def _span_start(row: TypeRow | ImportRow | AliasRow) -> int:
    return row[2][4]


def _binds(
    imports: list[Node], caps: Caps, index: dict[int, int]
) -> list[list[tuple[Node, Node | None, Node | None]]]:
    """Each import's @import.bind nodes with their name and local name. A bind belongs to
    the import above it, or else to the import inside the declaration that holds it
    (`const { exec: run } = require("child_process")`)."""
    out: list[list[tuple[Node, Node | None, Node | None]]] = [[] for _ in imports]
    binds = caps.get("import.bind")
    if not binds:
        return out
    binds = sorted(_unique(binds), key=_node_start)
    names = _parts(binds, caps, "import.bind.name")
    locals_ = _parts(binds, caps, "import.bind.local")
    around: dict[int, int] | None = None
    for bind, name, local in zip(binds, names, locals_, strict=True):
        owner = _owner(bind, index, _DEPTH, itself=True)
        if owner < 0:
            if around is None:  # the declaration (and the one above it) of each import
                around = {}
                for i, node in enumerate(imports):
                    parent = node.parent
                    if parent is not None:
                        around.setdefault(parent.id, i)
                        if parent.parent is not None:
                            around.setdefault(parent.parent.id, i)
            owner = _owner(bind, around, 3, itself=True)
        if owner >= 0 and not any(
            n.end_byte - n.start_byte == 1 and n.text == b"*" for n in name[1:]
        ):  # Kotlin `import a.*`
            out[owner].append((bind, _first(name), _first(local)))
    return out


def _module_of(bind: Node, modules: list[Node]) -> int:
    """Which module of an import a bind goes with: the one it overlaps (`import a as b`),
    else the last before it (`import a, b`), else the first (JS: the module comes last)."""
    start, end = bind.start_byte, bind.end_byte
    last = 0
    for i, module in enumerate(modules):
        if module.start_byte < end and start < module.end_byte:
            return i
        if module.start_byte < start:
            last = i
    return last


def _last_segment(path: str) -> str:
    """`os/exec` -> exec, `std::io` -> io, `gopkg.in/yaml.v3` and `x/y/v2` (Go major
    versions) -> yaml, y."""
    for sep in "/\\:":
        path = path.replace(sep, ".")
    parts = [part for part in path.split(".") if part]
    if len(parts) > 1 and parts[-1][:1] == "v" and parts[-1][1:].isdigit():
        return parts[-2]
    return parts[-1] if parts else ""


def _function_start(item: FunctionNodes) -> int:
    return item.function[3][4]


def _first(nodes: list[Node]) -> Node | None:
    return nodes[0] if nodes else None


def _return_type(text: SourceText, nodes: list[Node]) -> str:
    written = text.slice(nodes[0].start_byte, nodes[-1].end_byte)
    return fold(written).lstrip(":").strip()


def _enclosing_owner(
    node: Node, owners: dict[int, tuple[str, Node]], functions: Container[int]
) -> tuple[str | None, Node | None]:
    """The nearest enclosing class/struct/impl; a function nested in a function has none."""
    parent = node.parent
    while parent is not None:
        owner = owners.get(parent.id)
        if owner is not None:
            return owner
        if parent.id in functions:
            return None, None
        parent = parent.parent
    return None, None


def _signature(text: SourceText, node: Node, body: Node | None) -> str:
    if body is None:
        return fold(text.text(node)).rstrip(";").rstrip()
    end = body.start_byte
    # comments between the header and the body (Python) are not part of the signature
    prev = body.prev_sibling
    while prev is not None and "comment" in prev.type:
        end = prev.start_byte
        prev = prev.prev_sibling
    header = fold(text.slice(node.start_byte, end))
    return header.rstrip("=").rstrip() if header.endswith("=") else header


def _param_type(text: SourceText, type_node: Node, name_node: Node | None) -> str:
    """The type as written; a C-style declaration (`char *s`) is the type with the name cut out."""
    if name_node is None or not (
        type_node.start_byte <= name_node.start_byte and name_node.end_byte <= type_node.end_byte
    ):
        return fold(text.text(type_node))
    before = text.slice(type_node.start_byte, name_node.start_byte)
    after = text.slice(name_node.end_byte, type_node.end_byte).split("=", 1)[0]
    return fold(f"{before} {after}")


def _owner_name(text: str) -> str:
    """`Foo<T>` -> `Foo`, `*Server` -> `Server`: the owner as other code names it."""
    return fold(text.split("<", 1)[0].split("[", 1)[0]).lstrip("*&").strip()


def _kind_of(node_type: str) -> str:
    for suffix in _TYPE_SUFFIXES:
        if node_type.endswith(suffix):
            return node_type[: -len(suffix)]
    return node_type

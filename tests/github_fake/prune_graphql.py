"""Prune GitHub's GraphQL schema to what the bot's documents touch (writes schema.graphql).

    npm install --prefix /tmp/octokit @octokit/graphql-schema@15.26.1
    python tests/github_fake/prune_graphql.py \
        /tmp/octokit/node_modules/@octokit/graphql-schema/schema.graphql

Keeps, for every object and interface type a document selects from, the fields it selects
(their arguments as GitHub declares them); input types, enums and scalars those arguments
and fields need, whole. Directives are dropped; an interface keeps the object types that
implement it (with its selected fields), so the fake can execute documents against it.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_ast_schema,
    get_named_type,
    parse,
    print_ast,
    visit,
)

from ananke_ci.adapters.github_api import RESOLVE_MUTATION, THREADS_QUERY

DOCUMENTS = [THREADS_QUERY, RESOLVE_MUTATION]


class Collect(Visitor):
    def __init__(self, info: TypeInfo, fields: dict[str, set[str]], named: set[str]) -> None:
        super().__init__()
        self.info, self.fields, self.named = info, fields, named

    def enter_field(self, node: object, *_: object) -> None:
        parent = self.info.get_parent_type()
        field = self.info.get_field_def()
        if parent is None or field is None:
            return
        self.fields.setdefault(parent.name, set()).add(field.ast_node.name.value)  # type: ignore[union-attr]
        self.named.add(get_named_type(field.type).name)
        for arg in field.args.values():
            self.named.add(get_named_type(arg.type).name)


def _bare(node: Any, **changes: Any) -> Any:
    """The AST node without its description and directives (nodes are frozen)."""
    return (
        dataclasses.replace(node, description=None, directives=(), **changes)
        if hasattr(node, "description")
        else dataclasses.replace(node, directives=(), **changes)
    )


def main(source: str, target: str) -> None:
    sdl = Path(source).read_text()
    full: DocumentNode = parse(sdl)
    schema = build_ast_schema(full, assume_valid_sdl=True)  # upstream repeats two fields
    fields: dict[str, set[str]] = {}
    named: set[str] = set()
    for text in DOCUMENTS:
        info = TypeInfo(schema)
        visit(parse(text), TypeInfoVisitor(info, Collect(info, fields, named)))
    # an interface a document selects from needs the types GitHub says implement it, to
    # execute: each gets the interface's selected fields and `implements` it
    implementers: dict[str, str] = {}
    for type_name in list(fields):
        t = schema.get_type(type_name)
        if isinstance(t, GraphQLInterfaceType):
            for obj in schema.get_possible_types(t):
                implementers[obj.name] = type_name
                fields.setdefault(obj.name, set()).update(fields[type_name])
    # input types pull in their own fields' types
    todo = list(named)
    while todo:
        named_type: GraphQLNamedType | None = schema.get_type(todo.pop())
        if isinstance(named_type, GraphQLInputObjectType):
            for f in named_type.fields.values():
                n = get_named_type(f.type).name
                if n not in named:
                    named.add(n)
                    todo.append(n)
    keep = []
    for d in full.definitions:
        kind = d.kind
        name = getattr(getattr(d, "name", None), "value", None)
        if kind == "schema_definition":
            keep.append(d)
        elif kind in ("object_type_definition", "interface_type_definition") and name in fields:
            chosen = {}
            for f in d.fields:  # type: ignore[attr-defined]
                if f.name.value in fields[name] and f.name.value not in chosen:
                    args = tuple(_bare(a) for a in f.arguments or ())
                    chosen[f.name.value] = _bare(f, arguments=args)
            interfaces = tuple(
                i
                for i in d.interfaces or ()  # type: ignore[attr-defined]
                if i.name.value == implementers.get(str(name))
            )
            keep.append(_bare(d, fields=tuple(chosen.values()), interfaces=interfaces))
        elif (
            kind
            in ("input_object_type_definition", "enum_type_definition", "scalar_type_definition")
            and name in named
        ):
            parts = "fields" if kind == "input_object_type_definition" else "values"
            extra = (
                {parts: tuple(_bare(p) for p in getattr(d, parts) or ())}
                if kind != "scalar_type_definition"
                else {}
            )
            keep.append(_bare(d, **extra))
    pruned = DocumentNode(definitions=tuple(keep))
    header = "# Pruned from @octokit/graphql-schema by tests/github_fake/prune_graphql.py\n"
    Path(target).write_text(header + print_ast(pruned) + "\n")
    build_ast_schema(parse(Path(target).read_text()))  # still a valid schema


if __name__ == "__main__":
    main(
        sys.argv[1],
        sys.argv[2] if len(sys.argv) > 2 else str(Path(__file__).with_name("schema.graphql")),
    )

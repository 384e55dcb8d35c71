"""Placeholder methods that other modules override or inherit: the repository half of the
hole rules (holes.py decides within one file, from the tree).

The facts record no class bases, so a subclass in another module is recognised the way a
reader skimming the imports would: module G imports the placeholder's class by name, or its
module (`from .scaffold import Scaffold`, `from ...engine import default`; resolved to files
as salience resolves them), and a class of G defines a method of the same name. Then
  - the placeholder method of F is an overridable default or an interface (flask's
    `Scaffold.add_url_rule`, which `App` in sansio/app.py defines again), unless G is test
    code: a test double overrides whatever it needs and makes no base method an interface;
  - and a placeholder method of G that F's class defines is a deliberate override of an
    inherited method (SQLAlchemy's `MSDialect.do_release_savepoint: pass` over
    `default.DefaultDialect`'s).
Only the languages whose classes inherit and whose imports name classes or modules
(the `holes` of its row in languages.py: `inherits`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from ananke_ci.analysis.languages import LANGUAGES
from ananke_ci.analysis.salience.imports import Resolver
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.testfiles import is_test_path

HoleKey = tuple[str, int]  # path, start byte of the hole


def deliberate_elsewhere(files: Iterable[FileFacts]) -> frozenset[HoleKey]:
    """The typed holes of `files` in a method that a class of a linked module (one of
    `files`) overrides or defines for it to override (see the module docstring)."""
    inheriting = [
        f for f in files if (spec := LANGUAGES.get(f.language)) and spec.holes.get("inherits")
    ]
    holes: dict[str, list[tuple[str, str, HoleKey]]] = {}  # path -> (class, method, key)
    for facts in inheriting:
        for hole in facts.holes:
            fn = hole.function
            if hole.kind == "typed" and fn is not None and fn.container:
                key = (facts.path, hole.span.start_byte)
                holes.setdefault(facts.path, []).append((fn.container, fn.name, key))
    if not holes:
        return frozenset()
    resolver = Resolver(f.path for f in inheriting)
    classes: dict[str, dict[str, set[str]]] = {}  # path -> method -> classes defining it
    for facts in inheriting:
        for fn in facts.functions:
            if fn.container:
                classes.setdefault(facts.path, {}).setdefault(fn.name, set()).add(fn.container)
    found: set[HoleKey] = set()
    for importer in inheriting:
        mine = classes.get(importer.path, {})
        for imported, names in _imported(resolver, importer):
            theirs = classes.get(imported, {})
            # importer's classes override the imported module's placeholder methods
            if not is_test_path(importer.path):
                found.update(
                    key
                    for cls, name, key in holes.get(imported, ())
                    if name in mine and (names is None or cls in names)
                )
            # importer's placeholder methods override methods of the imported classes
            found.update(
                key
                for _, name, key in holes.get(importer.path, ())
                if theirs.get(name) and (names is None or theirs[name] & names)
            )
    return frozenset(found)


def _imported(resolver: Resolver, facts: FileFacts) -> Iterable[tuple[str, set[str] | None]]:
    """The files `facts` imports, each with the names it binds from it (None: the module
    itself is bound, so any of its classes can be reached)."""
    for imp in facts.imports:
        for target in resolver.resolve(facts.path, [(imp.module, imp.names)]):
            stem = posixpath.splitext(posixpath.basename(target))[0]
            if stem == "__init__":
                stem = posixpath.basename(posixpath.dirname(target))
            names = set(imp.names)
            yield target, (None if not names or stem in names else names)

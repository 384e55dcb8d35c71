"""Import statements resolved to files of the repository (Python, JS/TS, Go, Rust, Java: the
languages whose row in languages.py names a resolver).

Pure: takes the paths that exist and each file's imports as extract_facts reports them
(module as written, names bound), returns importer -> imported edges. Imports that do not
name a repository file (the standard library, packages) are dropped.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ananke_ci.analysis.languages import LANGUAGES, language_for_path
from ananke_ci.core.facts import Import

ImportSpec = tuple[str, tuple[str, ...]]  # (module as written, names)

_JS_EXTS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
_PY_EXTS = (".py", ".pyi")


def _unquote(text: str) -> str:
    return text.strip().strip("'\"`")


class Resolver:
    """Indexes of the tree, built once, then `resolve(path, imports)` per file."""

    def __init__(self, paths: Iterable[str], go_modules: Mapping[str, str] | None = None) -> None:
        self.paths = set(paths)
        self.go_modules = sorted((go_modules or {}).items(), key=lambda kv: -len(kv[1]))
        self.py: dict[str, str] = {}
        self.go_dirs: dict[str, list[str]] = defaultdict(list)
        self.java: dict[str, str] = {}
        self.java_pkgs: dict[str, list[str]] = defaultdict(list)
        self._index()

    def _index(self) -> None:
        fallback: dict[str, str] = {}
        for path in sorted(self.paths):
            stem, ext = posixpath.splitext(path)
            if ext in _PY_EXTS:
                parts = stem.split("/")
                if parts[-1] == "__init__":
                    parts.pop()
                top = len(parts) - 1  # climb while the parent directory is a package
                while top > 0 and "/".join(parts[:top]) + "/__init__.py" in self.paths:
                    top -= 1
                if parts:
                    self.py.setdefault(".".join(parts[top:]), path)
                    fallback.setdefault(".".join(parts), path)  # namespace packages, scripts
            elif ext == ".go" and not path.endswith("_test.go"):
                self.go_dirs[posixpath.dirname(path)].append(path)
            elif ext == ".java":
                parts = stem.split("/")
                for i in range(len(parts) - 1):
                    self.java.setdefault(".".join(parts[i:]), path)
                    self.java_pkgs[".".join(parts[i:-1])].append(path)
        for name, path in fallback.items():
            self.py.setdefault(name, path)

    def resolve(self, path: str, imports: Sequence[ImportSpec]) -> set[str]:
        language = language_for_path(path)
        kind = LANGUAGES[language].imports if language is not None else ""  # the row's resolver
        out: set[str] = set()
        for module, names in imports:
            if kind == "python":
                out.update(self._python(path, module.strip(), names))
            elif kind == "js":
                out.update(self._js(path, _unquote(module)))
            elif kind == "go":
                out.update(self._go(_unquote(module)))
            elif kind in ("rust", "java"):  # `use a::b::{C, D}`: the names may be modules
                resolve = self._rust if kind == "rust" else self._java
                sep = "::" if kind == "rust" else "."
                base = module.strip()
                found = [f for n in names for f in resolve(path, f"{base}{sep}{n}" if base else n)]
                out.update(found or resolve(path, base))
        out.discard(path)
        return out

    # -- Python: dotted names, relative imports, `from pkg import submodule`
    def _python(
        self, path: str, module: str, names: tuple[str, ...], names_only: bool = False
    ) -> list[str]:
        if not module:  # extract_facts reports `from .. import x` with module "": try levels
            levels = (".", "..", "...")
            tries = (self._python(path, m, names, names_only=True) for m in levels)
            return next((t for t in tries if t), None) or self._python(path, ".", names)
        level = len(module) - len(module.lstrip("."))
        rest = module[level:]
        if level:
            base = posixpath.dirname(path)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            stem = posixpath.join(base, *rest.split(".")) if rest else base
            found = [self._py_file(posixpath.join(stem, n)) for n in names]
            hits = [f for f in found if f]
            if hits or names_only:
                return hits
            return [f for f in [self._py_file(stem)] if f]
        hits = [self.py[f"{rest}.{n}"] for n in names if f"{rest}.{n}" in self.py]
        if hits:
            return hits
        parts = rest.split(".")
        while parts:  # `import a.b.c` where only a/b.py exists
            target = self.py.get(".".join(parts))
            if target:
                return [target]
            parts.pop()
        return []

    def _py_file(self, stem: str) -> str | None:
        stem = posixpath.normpath(stem or ".")
        init = "__init__.py" if stem == "." else f"{stem}/__init__.py"
        return next((c for c in (f"{stem}.py", f"{stem}.pyi", init) if c in self.paths), None)

    # -- JS/TS: only relative specifiers name repository files
    def _js(self, path: str, spec: str) -> list[str]:
        if not spec.startswith("."):
            return []
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
        stem, ext = posixpath.splitext(target)
        cands = [target] if ext else []
        if ext in (".js", ".jsx", ".mjs", ".cjs"):  # TS sources import their compiled names
            cands += [stem + e for e in _JS_EXTS]
        cands += [target + e for e in _JS_EXTS] + [f"{target}/index{e}" for e in _JS_EXTS]
        return next(([c] for c in cands if c in self.paths), [])

    # -- Go: module path from go.mod, a package is a directory
    def _go(self, spec: str) -> list[str]:
        for mod_dir, mod_path in self.go_modules:
            if spec == mod_path or spec.startswith(mod_path + "/"):
                rel = posixpath.normpath(posixpath.join(mod_dir, spec[len(mod_path) :].lstrip("/")))
                return self.go_dirs.get("" if rel == "." else rel, [])
        return []

    # -- Rust: crate::, self::, super:: paths to module files
    def _rust(self, path: str, spec: str) -> list[str]:
        spec = spec.removeprefix("use ").rstrip(";").split("{")[0].split(" as ")[0]
        segs = [s for s in spec.replace("::", "/").split("/") if s and s != "*"]
        if not segs:
            return []
        d = posixpath.dirname(path)
        name = posixpath.basename(path)
        here = d if name in ("mod.rs", "lib.rs", "main.rs") else posixpath.splitext(path)[0]
        if segs[0] == "crate":
            base, segs = self._crate_root(d), segs[1:]
        elif segs[0] in ("self", "super"):
            base = here
            while segs and segs[0] in ("self", "super"):
                if segs.pop(0) == "super":
                    base = posixpath.dirname(base)
        else:  # `mod x;` or a 2015-style path: try beside this module, then the crate root
            return self._rust_walk(here, segs) or self._rust_walk(self._crate_root(d), segs)
        return self._rust_walk(base, segs)

    def _rust_walk(self, base: str, segs: list[str]) -> list[str]:
        for n in range(len(segs), 0, -1):
            stem = posixpath.join(base, *segs[:n])
            for cand in (f"{stem}.rs", f"{stem}/mod.rs"):
                if cand in self.paths:
                    return [cand]
        return []

    @staticmethod
    def _crate_root(d: str) -> str:
        parts = d.split("/")
        return "/".join(parts[: len(parts) - parts[::-1].index("src")]) if "src" in parts else d

    # -- Java: fully qualified names by path suffix
    def _java(self, path: str, spec: str) -> list[str]:
        spec = spec.removeprefix("static ").strip().rstrip(";")
        if spec.endswith(".*"):
            pkg = spec[:-2]
            return self.java_pkgs.get(pkg) or ([self.java[pkg]] if pkg in self.java else [])
        while "." in spec:  # static members and nested classes name their file's class
            if spec in self.java:
                return [self.java[spec]]
            spec = spec.rsplit(".", 1)[0]
        return []


def import_spec(imp: Import, language: str) -> ImportSpec:
    """What the resolver reads of an import: the module as written and the names it imports
    from it as the module spells them (`from . import views as v` imports `views`, not `v`:
    the original names resolve to files, aliases do not)."""
    if language != "python" or not imp.bindings:
        return imp.module, imp.names
    module = imp.module.strip()
    names = tuple(
        dict.fromkeys(
            target[len(module) :].lstrip(".").split(".", 1)[0]
            for _local, target in imp.bindings
            if target.startswith(module) and len(target) > len(module)
        )
    )
    return imp.module, names or imp.names


def import_edges(
    imports: Mapping[str, Sequence[ImportSpec]],
    paths: Iterable[str],
    go_modules: Mapping[str, str] | None = None,
) -> set[tuple[str, str]]:
    """(importer, imported) pairs between repository files."""
    resolver = Resolver(paths, go_modules)
    return {(src, dst) for src, specs in imports.items() for dst in resolver.resolve(src, specs)}


def go_module_path(go_mod: bytes) -> str | None:
    """The `module` line of a go.mod file."""
    for line in go_mod.decode("utf-8", "replace").splitlines():
        words = line.split("//")[0].split()
        if len(words) == 2 and words[0] == "module":
            return _unquote(words[1])
    return None

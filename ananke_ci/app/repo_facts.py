"""Facts of every source file at a commit: the one walk constraints mining and salience share.

One `ls-tree`, one `cat-file --batch` for the blobs not already known, FileFacts cached by
blob under `.git/ananke/facts/` (adapters.facts_cache), so a re-run parses only new blobs.
With more than POOL_MIN_BYTES to parse, worker processes (one per core) parse chunks of
files and send back encoded facts; below that, starting them costs more than it saves.
Not on the pre-commit hot path: validate never imports this module.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal

from ananke_ci import analysis
from ananke_ci.adapters import history
from ananke_ci.adapters.cache import facts_codec
from ananke_ci.adapters.cache.facts_cache import VERSION as CACHE_VERSION
from ananke_ci.adapters.cache.facts_cache import FactsCache
from ananke_ci.analysis import rows
from ananke_ci.analysis.languages import LANGUAGES, language_for_path
from ananke_ci.analysis.rows import CoreRow
from ananke_ci.analysis.salience.imports import go_module_path
from ananke_ci.app.extraction import extract_encoded, is_overrun
from ananke_ci.core import facts, testfiles
from ananke_ci.core.config import DEFAULT_MAX_FILE_BYTES
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.records import record, replace

POOL_MIN_BYTES = 1 << 20
READ_BATCH = 128  # blobs per `cat-file`
GROUP_BYTES = 64 << 20  # of source parsed by one set of workers

PathFilter = Callable[[str, str], bool]  # (path, language) -> wanted
Parts = Literal["all", "imports"]
_Item = tuple[str, str, str, bytes]  # (cache key, path, language, content)


@record(frozen=True, slots=True)
class RepoFacts:
    commit: str
    tree: tuple[tuple[str, str], ...]  # (path, blob sha) of every regular file
    languages: dict[str, str]  # path -> language, for every file in a language we parse
    facts: dict[str, FileFacts]  # the selected source files, in tree order
    go_modules: dict[str, str]  # directory holding a go.mod -> its module path
    sources: dict[str, bytes]  # contents of the selected files (with_sources=True only)
    parsed: int  # blobs parsed by this call (the others came from the cache)


def facts_at(
    root: Path,
    commit: str,
    paths_filter: PathFilter | None = None,
    *,
    jobs: int | None = None,
    cache: bool = True,
    refresh: bool = False,
    write: bool = True,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    parts: Parts = "all",
    with_sources: bool = False,
    git_dir: Path | None = None,
    skip: Mapping[str, str] | None = None,
    tree: Iterable[tuple[str, str]] | None = None,
) -> RepoFacts:
    """FileFacts of every file at `commit` in a language we parse that `paths_filter` keeps.

    parts="imports" fills only the imports (and language, line count, skip reason): what
    salience needs, and cheap to load from the cache. Facts do not depend on the cache, the
    number of jobs or the parts asked for (beyond the fields left empty). jobs defaults to the
    number of CPUs. cache=False neither reads nor writes the cache; refresh=True parses every
    blob again (and stores it); write=False leaves the cache as it was. git_dir saves a git
    call when the caller knows it. `skip` (path -> blob) leaves out the files the caller
    already has what it needs from at that blob; `tree` is the commit's (path, blob) listing
    when the caller has it already.
    """
    tree = tuple(history.tree_blobs(root, commit) if tree is None else tree)
    languages = {p: lang for p, _ in tree if (lang := language_for_path(p)) is not None}
    skip = skip or {}
    selected = [
        (p, b, languages[p])
        for p, b in tree
        if p in languages
        and skip.get(p) != b
        and (paths_filter is None or paths_filter(p, languages[p]))
    ]
    store = None
    if cache and selected:
        store = FactsCache.open(git_dir or history.git_dir(root), fingerprint())
    key_of = FactKeys()
    found: dict[str, FileFacts] = {}
    missing: dict[str, list[tuple[str, str]]] = {}  # key -> paths with that key to parse
    for path, blob, lang in selected:
        key = key_of(blob, lang, path)
        entry = None if store is None or refresh else store.get(key)
        if entry is None:
            missing.setdefault(key, []).append((path, blob))
        else:
            found[path] = _from_entry(path, entry, parts, max_bytes)
    mods = {b: p.rpartition("/")[0] for p, b in tree if p == "go.mod" or p.endswith("/go.mod")}
    to_parse: dict[str, list[tuple[str, str, str]]] = {}  # blob -> (key, path, language)
    for path, blob, lang in selected:
        key = key_of(blob, lang, path)
        if key in missing and missing[key][0][0] == path:  # one parse per key
            to_parse.setdefault(blob, []).append((key, path, lang))
    # the blobs to parse first, in the order of their ids: the first batch read is a fair
    # sample of their sizes, and decides whether to start workers
    request = list(
        dict.fromkeys([*sorted(to_parse), *(b for _, b, _ in selected if with_sources), *mods])
    )
    blobs = _Blobs(root, to_parse, keep=None if with_sources else set(mods))
    with _gc_paused():
        count = sum(map(len, to_parse.values()))  # items, as a batch counts them
        for path, facts in _extract(
            blobs.batches(request), count, missing, store, jobs, max_bytes, parts
        ):
            found[path] = facts
    go_modules = {
        mods[b]: module
        for b, data in blobs.kept.items()
        if b in mods and (module := go_module_path(data))
    }
    if store is not None and write:
        store.flush()
    ordered = {p: found[p] for p, _, _ in selected if p in found}
    contents = {p: blobs.kept[b] for p, b, _ in selected if with_sources and b in blobs.kept}
    return RepoFacts(commit, tree, languages, ordered, go_modules, contents, blobs.parsed)


class _Blobs:
    """The blobs read, and the items to parse from them, a batch at a time (one `cat-file`
    per batch): workers parse the first batches while git reads the next."""

    def __init__(
        self, root: Path, to_parse: dict[str, list[tuple[str, str, str]]], keep: set[str] | None
    ) -> None:
        self.root = root
        self.to_parse = to_parse
        self.keep = keep  # the blobs whose content the caller wants (None: all)
        self.kept: dict[str, bytes] = {}
        self.parsed = 0

    def batches(self, blobs: list[str]) -> Iterator[list[_Item]]:
        for start in range(0, len(blobs), READ_BATCH):
            items: list[_Item] = []
            for blob, data in history.read_blobs(self.root, blobs[start : start + READ_BATCH]):
                if self.keep is None or blob in self.keep:
                    self.kept[blob] = data
                items += [
                    (key, path, lang, data) for key, path, lang in self.to_parse.get(blob, ())
                ]
            self.parsed += len(items)
            yield items


class FactKeys:
    """Cache keys: the blob, its language and a digest of that language's query (editing
    one query file leaves the other languages' entries valid), and the name's last two
    suffixes (hole rules exempt some extensions, such as `.pyi`)."""

    def __init__(self) -> None:
        self.queries: dict[str, str] = {}

    def __call__(self, blob: str, language: str, path: str) -> str:
        query = self.queries.get(language)
        if query is None:
            query = self.queries[language] = _query_digest(language)
        name = path.rpartition("/")[2].lstrip(".")
        suffix = ".".join(name.split(".")[1:][-2:])
        return f"{blob}:{language}:{query}:{suffix}"


def _query_digest(language: str) -> str:
    spec = LANGUAGES.get(language)
    query = Path(analysis.__file__).parent / "queries" / f"{spec.query_name}.scm" if spec else None
    try:
        data = query.read_bytes() if query else b""
    except OSError:
        data = b""
    return hashlib.sha256(data).hexdigest()[:12]


def fingerprint() -> str:
    """A digest of everything facts depend on but the queries (see _Keys): the extractor's
    code and placeholder rules, the codec, the grammars and Python (marshal's format)."""
    digest = hashlib.sha256(f"{CACHE_VERSION}:{sys.version_info[:2]}".encode())
    for package in ("tree_sitter", "tree_sitter_language_pack"):
        digest.update(_installed(package).encode())
    base = Path(analysis.__file__).parent
    # holes.py asks testfiles.py which paths are test code
    files = [
        *sorted(base.glob("*.py")),
        Path(facts.__file__),
        Path(facts_codec.__file__),
        Path(testfiles.__file__),
    ]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def _installed(package: str) -> str:
    """Names, sizes and times of a package's files: a reinstall (new grammars) changes
    them. importlib.metadata would say the version, but costs 20-40 ms to ask."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    out = [package]
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for sub in (folder, os.path.join(folder, "bindings")):
            with contextlib.suppress(OSError), os.scandir(sub) as entries:
                out += sorted(
                    f"{e.name}:{e.stat().st_size}:{e.stat().st_mtime_ns}"
                    for e in entries
                    if e.is_file()
                )
    return "\n".join(out)


def _from_entry(path: str, entry: tuple[bytes, bytes], parts: Parts, max_bytes: int) -> FileFacts:
    core = facts_codec.read_core(entry[0])
    lang, size, _, skipped = core[:4]
    if skipped is None and size > max_bytes:  # as extract_facts words it
        return FileFacts(path, lang, skipped=f"too large ({size} bytes > {max_bytes})")
    return facts_codec.decode(path, core, entry[1] if parts == "all" else None)


def _extract(
    batches: Iterator[list[_Item]],
    count: int,
    missing: dict[str, list[tuple[str, str]]],
    store: FactsCache | None,
    jobs: int | None,
    max_bytes: int,
    parts: Parts,
) -> Iterator[tuple[str, FileFacts]]:
    """(path, facts) for every path of `missing` (`count` items to parse, read in batches),
    storing each new entry in `store`. Each file is parsed within its time budget
    (app/extraction.py), in `jobs` worker processes when there is enough to parse."""
    jobs = jobs if jobs is not None else os.cpu_count() or 1
    first = next(batches, [])
    # sizes are known only once read: the first batch stands for the others
    size = sum(len(item[3]) for item in first)
    workers = jobs if jobs > 1 and size * count > POOL_MIN_BYTES * max(1, len(first)) else 1
    for group in _groups(itertools.chain([first], batches)):
        items = [(path, lang, data) for _key, path, lang, data in group]
        for index, core_bytes, rest_bytes in extract_encoded(items, max_bytes, workers):
            key = group[index][0]
            core = facts_codec.read_core(core_bytes)
            if store is not None and not _too_large(core) and not is_overrun(core):
                store.put(key, (core_bytes, rest_bytes))
            rest = facts_codec.read_rest(rest_bytes) if parts == "all" else None
            (first_path, _), *others = missing[key]
            built = rows.facts(first_path, core, rest)
            yield first_path, built
            for path, _ in others:  # the same blob and suffix elsewhere: the records, renamed
                yield path, replace(built, path=path)


def _groups(batches: Iterable[list[_Item]]) -> Iterator[list[_Item]]:
    """The batches read, joined into groups of about GROUP_BYTES: the workers fork once
    per group (they see only what was read before they started), and a group bounds the
    memory the blobs take."""
    group: list[_Item] = []
    size = 0
    for batch in batches:
        group += batch
        size += sum(len(item[3]) for item in batch)
        if size >= GROUP_BYTES:
            yield group
            group, size = [], 0
    if group:
        yield group


def _too_large(core: CoreRow) -> bool:
    """Skipped for its size: the next run may allow more, so it is not cached."""
    skipped = core[3]
    return isinstance(skipped, str) and skipped.startswith("too large")


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while records are built: hundreds of thousands of
    them, none in a cycle, set it off again and again over a growing heap (40% of the
    time spent decoding a large repository's facts)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()

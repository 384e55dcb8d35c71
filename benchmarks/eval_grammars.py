"""Do the body grammars accept the function bodies of a real project?

Every function the extractor finds in REPO's files of LANGUAGE is taken as if its body were
the fill of a hole: the text the grammar covers (Python: the body's lines, a leading
docstring taken off; brace languages: what follows the body's `{`, its closing `}`
included), checked against the grammar compiled for it, with no extra bans. Prints how many
are accepted and, for the refused ones, the line where the grammar leaves them, so a
maintainer can tell a refusal by design (a placeholder such as `raise NotImplementedError`,
a TODO, a non-void body that only throws, braces in a char literal) from a grammar bug.

    python benchmarks/eval_grammars.py REPO python --glob 'src/**/*.py'
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from ananke_ci.adapters.backends.model_files import load_lltokenizer
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.grammar import body_constraint, check_output
from ananke_ci.core.facts import Function, Hole

_DOCSTRING = re.compile(r"[ \t]*[rRbBuU]?(\"\"\"|''')[\s\S]*?\1[ \t]*\n")


def covered_text(source: bytes, fn: Function, language: str) -> str | None:
    """The text a fill of this function's body would be, or None when there is none to try
    (no body, a one-line brace body, a stub)."""
    body = fn.body_span
    if body is None:
        return None
    if language != "python":
        text = source[body.start_byte + 1 : body.end_byte].decode()
        return text if "\n" in text else None  # the patcher works on whole lines
    line_start = source.rfind(b"\n", 0, body.start_byte) + 1
    if source[line_start : body.start_byte].strip():
        return None  # a body on its header's line (`def f(): ...`)
    text = source[line_start : body.end_byte].decode() + "\n"
    match = _DOCSTRING.match(text)
    if match:
        text = text[match.end() :].lstrip("\n")
    return text if text.strip() not in ("", "...", "pass") else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("repo", type=Path)
    parser.add_argument("language")
    parser.add_argument("--glob", default="**/*", help="files to read, under REPO")
    parser.add_argument("--show", type=int, default=20, help="refused bodies to print")
    args = parser.parse_args()
    tokenizer = load_lltokenizer()
    verdicts: Counter[bool] = Counter()
    refused: list[str] = []
    for path in sorted(args.repo.glob(args.glob)):
        source = path.read_bytes()
        for fn in extract_facts(str(path), source, args.language).functions:
            text = covered_text(source, fn, args.language)
            if text is None or fn.body_span is None:
                continue
            hole = Hole("typed", "pass", "pass", fn.body_span, fn)
            ok, why = check_output(body_constraint(hole, args.language), text, tokenizer)
            verdicts[ok] += 1
            if not ok:
                at = int(why.rsplit(" ", 1)[1]) if why and "character" in why else len(text)
                start = text.rfind("\n", 0, at) + 1
                end = text.find("\n", at)
                line = text[start : end if end >= 0 else None].strip()
                refused.append(f"{path.relative_to(args.repo)} {fn.name}: {why}\n    {line[:100]}")
    total = sum(verdicts.values())
    print(
        f"{args.language}: {verdicts[True]} of {total} bodies accepted "
        f"({100 * verdicts[True] / max(total, 1):.0f}%)"
    )
    for entry in refused[: args.show]:
        print(entry)


if __name__ == "__main__":
    main()

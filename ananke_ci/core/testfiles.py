"""Which paths are tests, by the naming conventions of the supported languages.

One definition for the constraint checks (tests are exempt from some) and the salience score
(a file with no test is riskier). Only `re` here: the pre-commit hot path imports it.
"""

from __future__ import annotations

import re

TEST_PATH = re.compile(
    r"(^|/)(tests?|__tests__|spec|testing)/"
    r"|(^|/)test_[^/]*\.py$|_test\.(py|go|rs)$|\.(test|spec)\.[cm]?[jt]sx?$"
    r"|(^|/)src/test/|Tests?\.(java|kt|cs|swift)$"
)


def is_test_path(path: str) -> bool:
    """True for a repository-relative POSIX path that names a test file or lies in a test dir."""
    return TEST_PATH.search(path) is not None

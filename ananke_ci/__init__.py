"""ananke-ci: check that a change provably fits the repository it lands in."""

__version__ = "0.1.0"

"""Constraints: mined from the repository, declared in config and Ariadne, compiled to IR."""

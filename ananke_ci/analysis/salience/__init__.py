"""Salience: how central and how active each file is, and the intensity that follows.

Submodules are imported where used: `graphs` pulls in networkx, which the pre-commit hot
path (reading cached intensities) must never pay for.
"""

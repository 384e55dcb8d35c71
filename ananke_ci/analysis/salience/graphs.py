"""The import and co-change graphs (networkx) and the centralities computed on them.

PageRank and HITS are small power iterations over the adjacency: networkx's own versions
need scipy, which is not a dependency, and these are deterministic and fast enough for a few
thousand files. Betweenness is networkx's, sampled with a fixed seed on large graphs
(exact betweenness took 68 s on 2k nodes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from ananke_ci.analysis.salience.aggregate import CoChange
from ananke_ci.analysis.salience.model import Centrality

EXACT_BETWEENNESS_MAX = 300  # above this many nodes, betweenness is sampled
BETWEENNESS_SAMPLES = 200
SEED = 20240229


def import_graph(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> nx.DiGraph:
    """importer -> imported; nodes sorted so sampling with a seed is reproducible."""
    g = nx.DiGraph()
    g.add_nodes_from(sorted(nodes))
    g.add_edges_from(sorted(e for e in edges if e[0] in g and e[1] in g))
    return g


def cochange_graph(nodes: Iterable[str], pairs: Mapping[tuple[str, str], CoChange],
                   min_shared: int = 2) -> nx.Graph:
    """Files joined when they changed together at least `min_shared` times, weighted by decay."""
    g = nx.Graph()
    g.add_nodes_from(sorted(nodes))
    for (a, b), cc in sorted(pairs.items()):
        if cc.shared >= min_shared and a in g and b in g:
            g.add_edge(a, b, weight=cc.weight, shared=cc.shared)
    return g


def graph_key(g: nx.Graph) -> str:
    """A digest of nodes and edges: centralities are reused while it stays the same."""
    h = hashlib.sha256(b"directed" if g.is_directed() else b"undirected")
    for n in g.nodes:
        h.update(b"\0n" + str(n).encode())
    for a, b, w in sorted(g.edges(data="weight", default=1.0)):
        h.update(f"\0e{a}\0{b}\0{w!r}".encode())
    return h.hexdigest()


def _adjacency(g: nx.Graph) -> dict[str, dict[str, float]]:
    return {
        u: {v: float(d.get("weight", 1.0)) for v, d in nbrs.items()} for u, nbrs in g.adj.items()
    }


def pagerank(g: nx.Graph, alpha: float = 0.85, tol: float = 1e-10,
             max_iter: int = 200) -> dict[str, float]:
    adj = _adjacency(g)
    n = len(adj)
    if not n:
        return {}
    out_w = {u: sum(nbrs.values()) for u, nbrs in adj.items()}
    x = dict.fromkeys(adj, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(x[u] for u in adj if not out_w[u]) / n
        new = dict.fromkeys(adj, (1.0 - alpha) / n + dangling)
        for u, nbrs in adj.items():
            if out_w[u]:
                share = alpha * x[u] / out_w[u]
                for v, w in nbrs.items():
                    new[v] += share * w
        err = sum(abs(new[u] - x[u]) for u in adj)
        x = new
        if err < n * tol:
            break
    return x


def hits_authority(g: nx.Graph, tol: float = 1e-10, max_iter: int = 200) -> dict[str, float]:
    adj = _adjacency(g)
    n = len(adj)
    if not n or not any(adj.values()):
        return dict.fromkeys(adj, 0.0)
    hub = dict.fromkeys(adj, 1.0 / n)
    auth = dict.fromkeys(adj, 0.0)
    for _ in range(max_iter):
        new_auth = dict.fromkeys(adj, 0.0)
        for u, nbrs in adj.items():
            for v, w in nbrs.items():
                new_auth[v] += hub[u] * w
        total = sum(new_auth.values()) or 1.0
        new_auth = {u: a / total for u, a in new_auth.items()}
        hub = {u: sum(new_auth[v] * w for v, w in nbrs.items()) for u, nbrs in adj.items()}
        htotal = sum(hub.values()) or 1.0
        hub = {u: h / htotal for u, h in hub.items()}
        err = sum(abs(new_auth[u] - auth[u]) for u in adj)
        auth = new_auth
        if err < n * tol:
            break
    return auth


def betweenness(g: nx.Graph) -> dict[str, float]:
    k = BETWEENNESS_SAMPLES if g.number_of_nodes() > EXACT_BETWEENNESS_MAX else None
    result: dict[str, Any] = nx.betweenness_centrality(g, k=k, seed=SEED, normalized=True)
    return {str(u): float(v) for u, v in result.items()}


def centralities(g: nx.Graph) -> dict[str, Centrality]:
    pr, hits, btw = pagerank(g), hits_authority(g), betweenness(g)
    return {u: Centrality(pr[u], btw[u], hits[u]) for u in g.nodes}

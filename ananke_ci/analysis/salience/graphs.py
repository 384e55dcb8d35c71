"""The import and co-change graphs (networkx) and the centralities computed on them.

PageRank and HITS are small power iterations over the adjacency: networkx's own versions
need scipy, which is not a dependency, and these are deterministic and fast enough for a few
thousand files. Betweenness is networkx's, sampled with a fixed seed on large graphs
(exact betweenness took 68 s on 2k nodes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from ananke_ci.analysis.salience.model import Centrality

EXACT_BETWEENNESS_MAX = 300  # above this many nodes, betweenness is sampled
BETWEENNESS_SAMPLES = 200
SEED = 20240229


def build_graph(
    nodes: Sequence[str], edges: Iterable[tuple[str, str, float]], *, directed: bool
) -> nx.Graph:
    """Nodes in the given (sorted) order, so seeded sampling is reproducible."""
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from(edges)
    return g


def _adjacency(g: nx.Graph) -> dict[str, dict[str, float]]:
    return {
        u: {v: float(d.get("weight", 1.0)) for v, d in nbrs.items()} for u, nbrs in g.adj.items()
    }


def pagerank(
    g: nx.Graph, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200
) -> dict[str, float]:
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

"""Reference-free vote keys: samples whose answers are equivalent share one key.

A pool's answers are normalised (the task's `vote_key`), and only its DISTINCT normalised answers are
clustered, by the task's own pairwise equivalence, never by the reference. Leader clustering, in a
fixed order: distinct answers by decreasing count (ties: first occurrence in the pool); each joins
the first earlier leader it is equivalent to, else leads a new cluster. The representative of a
cluster is its leader (its most frequent answer), and the cluster is judged by the verdict of the
first sample carrying that answer. Cost: at most d x (clusters) equivalence tests for d distinct
answers, not one per pair of samples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class VoteClusters:
    """The vote keys of one pool of samples (one problem)."""

    keys: tuple[str | None, ...]
    """Per sample, in pool order: its cluster's key (the representative's normalised answer);
    None: the sample casts no vote (no answer)."""
    representatives: tuple[tuple[str, int], ...]
    """(cluster key, index of the sample whose verdict judges the cluster), one per cluster."""

    def representative(self) -> dict[str, int]:
        return dict(self.representatives)


def distinct_in_order(normalised: Sequence[str | None]) -> list[str]:
    """Distinct answers by decreasing count, ties by first occurrence (the clustering order)."""
    counts = Counter(a for a in normalised if a is not None)
    first = {a: i for i, a in reversed(list(enumerate(normalised))) if a is not None}
    return sorted(counts, key=lambda a: (-counts[a], first[a]))


def assign_leaders(distinct: Sequence[str], equivalent: Callable[[str, str], bool]) -> list[int]:
    """Per distinct answer (in clustering order), the position of its leader in `distinct`."""
    leaders: list[int] = []
    out: list[int] = []
    for i, answer in enumerate(distinct):
        leader = next((j for j in leaders if equivalent(distinct[j], answer)), None)
        if leader is None:
            leaders.append(i)
            leader = i
        out.append(leader)
    return out


def clusters_from_leaders(normalised: Sequence[str | None], distinct: Sequence[str],
                          leaders: Sequence[int]) -> VoteClusters:
    """Keys per sample from each distinct answer's leader (see `assign_leaders`)."""
    key_of = {a: distinct[leader] for a, leader in zip(distinct, leaders, strict=True)}
    keys = tuple(None if a is None else key_of[a] for a in normalised)
    reps = {distinct[leader]: normalised.index(distinct[leader]) for leader in set(leaders)}
    return VoteClusters(keys, tuple(sorted(reps.items())))


def cluster_votes(normalised: Sequence[str | None],
                  equivalent: Callable[[str, str], bool] | None = None) -> VoteClusters:
    """Vote keys of one pool; `equivalent` None: normalised strings are the clusters."""
    distinct = distinct_in_order(normalised)
    leaders = (list(range(len(distinct))) if equivalent is None
               else assign_leaders(distinct, equivalent))
    return clusters_from_leaders(normalised, distinct, leaders)

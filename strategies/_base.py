"""The selection-strategy contract: a pure function of one scored pool, evaluated at budget k.

A selection strategy never generates: it reads a pool of n scored samples of one problem and
returns the expected accuracy of spending k of them (k <= n), as an exact expectation over
k-subsets where one exists. It declares which pool it reads: `greedy` (one sample at temperature
0) or `sampled` (n samples at the sweep's temperature). Every strategy class declares its `Kind`
(selection, search, meta): the one answer to "which kind of strategy is this?"
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from core.auxiliary import AuxModel
from core.registry import Registry


class Kind(Enum):
    """What a strategy's cells are built from (`harness.analysis.cells` builds them once per kind)."""

    SELECTION = "selection"
    """A pure function of one scored pool (`greedy` or `sampled`), evaluated at every budget k <= n."""
    SEARCH = "search"
    """Drives the engine while it decides; its pool holds one trace per cell (variant, budget)."""
    META = "meta"
    """Built from the other strategies' cells (compute_optimal's allocation); reads no pool of its own."""


@dataclass(frozen=True)
class ScoredSample:
    """What a selection strategy may see of one sample."""

    answer: str | None
    """Canonical extracted answer (None: no answer)."""
    correct: bool
    """Verifier verdict (read only by oracle strategies and to judge a vote's winner)."""
    mean_logprob: float | None
    """Mean token log-prob (a free confidence score); None: no score (nothing generated, or an
    import without log-probs)."""
    completion_tokens: int
    """Generated tokens."""
    vote: str | None = None
    """Reference-free vote key: samples with equivalent answers share it (None: no vote)."""
    vote_correct: bool = False
    """Whether the representative answer of this sample's vote cluster is correct."""


class Strategy:
    """What every strategy has: its registered name, its label in a sweep, and its kind."""

    name: ClassVar[str] = ""
    """The registered name (`strategies/<module>.py`'s `@STRATEGIES.register(name)`)."""
    _label: str | None = None
    kind: ClassVar[Kind]
    """Selection, search or meta; set once by the base class of each kind."""
    oracle: bool = False
    """Reads the reference to choose (pass@k): an upper bound that needs a perfect verifier. Never a
    compute_optimal candidate, never on the Pareto frontier, drawn dashed."""
    votes: bool = False
    """Groups samples by their reference-free vote keys (majority, weighted vote): the task must
    provide such keys (`Task.voting_unsupported()` is None), checked before any model loads."""

    @property
    def label(self) -> str:
        """How curves, cells and pools name it in a sweep: the preset's file name (e.g.
        `budget_forcing_no_wait`), else the registered name."""
        return self._label or self.name

    def labelled(self, label: str | None) -> Strategy:
        """This strategy shown as `label` in a sweep (None: its registered name)."""
        self._label = label or None
        return self

    def needs(self) -> tuple[AuxModel, ...]:
        """The auxiliary models this strategy runs with, from its own options (default: none); the
        harness checks them before any model loads and hands them to a search strategy's `run`."""
        return ()


class SelectionStrategy(Strategy, ABC):
    """Chooses an answer from k samples of a pool; subclasses set `name` and `pool`."""

    kind = Kind.SELECTION
    pool: str = "sampled"
    """The pool it reads: `greedy` (one sample at temperature 0) or `sampled`."""

    def budgets(self, requested: list[int], pool_size: int) -> list[int]:
        """The budgets this strategy is evaluated at (default: every requested k <= pool size)."""
        return [k for k in requested if k <= pool_size]

    @abstractmethod
    def expected_accuracy(self, samples: list[ScoredSample], k: int) -> float:
        """Expected accuracy over k-subsets of `samples` (exact where a closed form exists)."""

    def expected_accuracies(self, samples: list[ScoredSample], ks: list[int]) -> list[float]:
        """`expected_accuracy` at several budgets (strategies override to share work across k)."""
        return [self.expected_accuracy(samples, k) for k in ks]

    def with_resampling_error(
        self, samples: list[ScoredSample], ks: list[int]
    ) -> tuple[list[float], list[float]]:
        """(values, standard errors) at several budgets; exact strategies have zero error."""
        return self.expected_accuracies(samples, ks), [0.0] * len(ks)


STRATEGIES: Registry[type[Strategy]] = Registry("strategy")

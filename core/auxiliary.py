"""What a search strategy declares it needs, and the context it runs in.

A search strategy names the auxiliary models it needs as `AuxModel(kind, config)` values, derived
from its own options (`needs()`); the harness validates them before any model loads, loads them
beside the generator and hands them to `run` in a `SearchContext`, together with the generator's
engine, the chats, the sampling parameters and the answer function. The context is all a run sees:
no attribute is set on a strategy from outside.

A kind names how the harness serves the model (today `reward_model`: a scorer on vLLM's pooling
runner, `configs/reward_model/<name>.yaml`; `verifier_model`: a separate generation engine,
`configs/model/<name>.yaml`); the harness keeps one table from kind to config loader, engine
factory and resource estimate (`harness.engines.auxiliary`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from core.engine import Engine, Message, RewardModel
from core.records import ModelInfo, SamplingParams

AnswerOf = Callable[[int, str], str | None]
"""(problem position in the batch, text) -> canonical answer or None (for votes inside a strategy)."""


@dataclass(frozen=True, order=True)
class AuxModel:
    """One auxiliary model a strategy needs."""

    kind: str
    """How it is served: a key of the harness's table (`reward_model`, `verifier_model`)."""
    config: str
    """Its config name in that kind's config folder (e.g. `smollm2_135m_judge`)."""


@dataclass(frozen=True)
class SearchContext:
    """Everything one `SearchStrategy.run` works with, for the problems of one shard."""

    engine: Engine
    """The generator's engine."""
    chats: list[list[Message]]
    """Each problem's chat, in batch order."""
    base: SamplingParams
    """The sweep's sampling parameters (temperature, top_p, max_tokens)."""
    answer_of: AnswerOf
    """The task's answer extraction, by problem position (for votes inside a strategy)."""
    models: Mapping[AuxModel, object] = field(default_factory=dict)
    """The loaded auxiliary models, one per need of the strategy."""
    infos: Mapping[AuxModel, ModelInfo] = field(default_factory=dict)
    """Their architectures, to price their calls."""

    def model(self, need: AuxModel) -> object:
        """The loaded model for `need` (RuntimeError when the harness did not provide it)."""
        if need not in self.models:
            given = ", ".join(f"{n.kind}={n.config}" for n in self.models) or "none"
            raise RuntimeError(f"{need.kind} {need.config!r} was not provided to the run (provided: {given})")
        return self.models[need]

    def reward_model(self, need: AuxModel) -> RewardModel:
        """The reward model for `need`."""
        model = self.model(need)
        if not callable(getattr(model, "score", None)):
            raise TypeError(f"{need.kind} {need.config!r} is not a reward model: {type(model).__name__}")
        return model  # type: ignore[return-value]

    def generator(self, need: AuxModel | None) -> tuple[Engine, ModelInfo | None]:
        """The engine calls for `need` go to and the info that costs them; None: the generator's own
        engine, costed at analysis (info None)."""
        if need is None:
            return self.engine, None
        model = self.model(need)
        if not callable(getattr(model, "generate", None)) or need not in self.infos:
            raise TypeError(f"{need.kind} {need.config!r} is not a generation engine with a ModelInfo")
        return model, self.infos[need]  # type: ignore[return-value]

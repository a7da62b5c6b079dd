"""The generic needs() path: a strategy that needs a new kind of auxiliary model, served by one table entry.

`Critiqued` (defined here) needs a `critic_model`, a kind the harness does not know. Config
validation refuses it listing the known kinds; once the kind has an `AUX_KINDS` entry, validation
refuses an unknown config name listing the valid ones and checks the GPU share, all before any model
loads (the kind's factory is never called); a replica then loads the critic once, through the
table, and hands it to `run` in the context. Nothing else of the harness is edited for the new kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from core.auxiliary import AuxModel, SearchContext
from core.records import ModelInfo, SamplingParams
from harness.config import ClusterConfig, ConfigError, ModelConfig, StrategyConfig, SweepConfig, check_needs
from harness.engines.auxiliary import AUX_KINDS, AuxKind, Host
from harness.engines.model_info import model_info_from_config
from harness.engines.scripted import Reply, ScriptedEngine
from harness.run import execute
from harness.run.plan import PoolSpec, Shard, WorkItem
from harness.schemas import RewardModelConfig, load_group_item
from strategies import STRATEGIES
from strategies._search import Cell, Ledger, SearchStrategy, Trace, sampled
from tests.harness.engines.test_model_info import SMOLLM2_135M

INFO = model_info_from_config("critic", "p", SMOLLM2_135M)


class Critiqued(SearchStrategy):
    """Writes one solution per problem; a critic model (any `str -> str`) rewrites it."""

    name = "critiqued"
    unit = "solutions"

    def __init__(self, budgets: Sequence[int] = (1,), critic: str = "smollm2_135m_judge") -> None:
        super().__init__(budgets)
        self.critic = critic

    def needs(self) -> tuple[AuxModel, ...]:
        return (AuxModel("critic_model", self.critic),)

    def run(self, ctx: SearchContext) -> dict[Cell, list[Trace]]:
        [need] = self.needs()
        critic = ctx.model(need)
        assert callable(critic)
        ledger = Ledger(ctx.engine, len(ctx.chats))
        params = sampled(ctx.base, n=1)
        outs = ledger.generate([(i, ctx.engine.render(c), params) for i, c in enumerate(ctx.chats)])
        traces = [Trace(text=str(critic(o[0].text)), calls=ledger.charged(i)) for i, o in enumerate(outs)]
        return {("", b): traces for b in self.budget_list}


def critic_kind(created: list[tuple[str, str]]) -> AuxKind:
    """A kind whose configs are read from the reward-model folder; its factory records each load."""

    def create(config: Any, host: Host) -> tuple[Callable[[str], str], ModelInfo]:
        created.append((config.name, host.backend))
        return str.upper, INFO

    return AuxKind(noun="critic model",
                   load=lambda name: load_group_item("reward_model", name, RewardModelConfig, "critic model"),
                   create=create, gpu_share=lambda config, generator: 0.5, max_gpu_share=0.95)


def test_config_validation_refuses_unknown_kinds_and_names_before_any_model_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sweep = SweepConfig()
    with pytest.raises(ConfigError) as info:
        check_needs("critiqued", Critiqued(), sweep)
    assert "unknown auxiliary model kind 'critic_model'" in str(info.value)
    assert "reward_model, verifier_model" in str(info.value)
    created: list[tuple[str, str]] = []
    monkeypatch.setitem(AUX_KINDS, "critic_model", critic_kind(created))
    with pytest.raises(ConfigError) as info:
        check_needs("critiqued", Critiqued(critic="smollm2_135m_jugde"), sweep)
    assert "unknown critic model 'smollm2_135m_jugde'; did you mean 'smollm2_135m_judge'" in str(info.value)
    assert "qwen2_5_math_prm_7b" in str(info.value)  # the valid names are listed
    check_needs("critiqued", Critiqued(), sweep)  # CPU: a known name passes
    sweep.cluster = ClusterConfig(num_gpus_per_replica=1)
    with pytest.raises(ConfigError, match=r"critic model smollm2_135m_judge next to the generator on each "
                                          r"GPU: .* \(0\.9\) \+ the critic model's \(0\.5\) = 1\.40 > 0\.95"):
        check_needs("critiqued", Critiqued(), sweep)
    sweep.engine.gpu_memory_utilization = 0.45
    check_needs("critiqued", Critiqued(), sweep)
    assert created == []  # validation never loads a model


def test_a_replica_loads_the_new_kind_through_the_table_and_hands_it_to_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created: list[tuple[str, str]] = []
    monkeypatch.setitem(AUX_KINDS, "critic_model", critic_kind(created))
    monkeypatch.setitem(STRATEGIES._items, "critiqued", Critiqued)
    engine = ScriptedEngine(lambda prompt, p, k: Reply("answer seven"))
    monkeypatch.setattr(execute, "create_engine", lambda name, **kwargs: engine)
    spec = PoolSpec(kind="search:critiqued", model=ModelConfig(name="m", path="p"), task="gsm8k",
                    prompt_version="v", params=SamplingParams(0.8, max_tokens=20),
                    strategy=StrategyConfig(name="critiqued", options={"budgets": [1, 2]}))
    chat = ((("role", "user"), ("content", "Q")),)
    items = tuple(WorkItem(spec, f"p{i}", chat, (0, 1)) for i in range(2))
    shard = Shard(spec.model, 0, items)
    needs = execute.needs_of([shard, shard])
    assert needs == (AuxModel("critic_model", "smollm2_135m_judge"),)
    replica = execute.Replica("vllm", {"cpu_slot": 0}, "m", needs)
    assert created == [("smollm2_135m_judge", "vllm")]  # loaded with the engine
    samples = replica.run(shard) + replica.run(shard)
    assert created == [("smollm2_135m_judge", "vllm")]  # and only once
    assert [s.output.text for s in samples] == ["ANSWER SEVEN"] * 8
    assert [(s.problem_id, s.index) for s in samples[:4]] == [("p0", 0), ("p0", 1), ("p1", 0), ("p1", 1)]
    assert sum(s.output.completion_tokens for s in samples) == 8 * len("answer seven")


def test_the_new_strategy_runs_in_a_sweep_config_without_a_yaml_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Adding it took the strategy module and the kind's table entry: `strategies=[critiqued]`
    resolves (with its default options) although configs/strategy/ has no critiqued.yaml, and a
    misspelt name is refused listing the presets and the registered strategies alike."""
    from harness.config import CONFIG_DIR, load_sweep_config

    assert not (CONFIG_DIR / "strategy" / "critiqued.yaml").exists()
    monkeypatch.setitem(STRATEGIES._items, "critiqued", Critiqued)
    with pytest.raises(ConfigError, match="unknown auxiliary model kind 'critic_model'"):
        load_sweep_config(["strategies=[critiqued]"])
    monkeypatch.setitem(AUX_KINDS, "critic_model", critic_kind([]))
    resolved = load_sweep_config(["strategies=[critiqued,majority]"])
    first = resolved.strategies[0]
    assert (first.label, first.name, first.options) == ("critiqued", "critiqued", {})
    with pytest.raises(ConfigError) as info:
        load_sweep_config(["strategies=[critiqed]"])
    assert "did you mean 'critiqued'" in str(info.value)
    assert "budget_forcing_no_wait" in str(info.value) and "critiqued" in str(info.value)

"""Config composition and bad input: every error names the valid choices, before any model loads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.config import ConfigError, load_sweep_config


def test_defaults() -> None:
    r = load_sweep_config([])
    assert [m.name for m in r.models] == ["smollm2_135m"]
    assert r.task.name == "gsm8k"
    assert [s.name for s in r.strategies] == ["greedy", "majority", "pass_at_k"]
    assert r.sweep.budgets == [1, 2, 4, 8, 16]
    assert r.sweep.limit == 20 and r.sweep.temperature == 0.8 and r.sweep.max_tokens == 384
    assert r.sweep.engine.name == "vllm" and r.sweep.cluster.address is None


def test_overrides() -> None:
    r = load_sweep_config(["limit=5", "budgets=[4,1]", "strategies=[majority,pass_at_k]",
                           "cluster.replicas=2", "models=[qwen2_5_0_5b,smollm2_135m]"])
    assert r.sweep.limit == 5 and r.sweep.budgets == [1, 4]
    assert [s.name for s in r.strategies] == ["majority", "pass_at_k"]
    assert r.sweep.cluster.replicas == 2
    assert r.models[0].path == "Qwen/Qwen2.5-0.5B-Instruct"
    assert "resolved" in r.to_yaml()


@pytest.mark.parametrize(
    ("override", "needles"),
    [
        ("models=[smollm3]", ["unknown model 'smollm3'", "smollm2_135m", "qwen2_5_7b"]),
        ("task=gsm9k", ["unknown task 'gsm9k'", "did you mean 'gsm8k'", "gsm8k"]),
        ("strategies=[majorty]", ["unknown strategy 'majorty'", "did you mean 'majority'", "pass_at_k"]),
        ("engine=vlm", ["unknown engine 'vlm'", "vllm"]),
        ("cluster=moon", ["unknown cluster 'moon'", "local", "gpu"]),
        ("budgets=[0,2]", ["positive integers"]),
        ("budgets=[-1]", ["positive integers"]),
        ("budgets=[1.5]", ["positive integers"]),
        ("budgets=[]", ["positive integers"]),
        ("limit=0", ["limit"]),
        ("temperature=hot", ["temperature"]),
        ("prefill_accounting=foo", ["prefill_accounting", "prefix_cache", "no_cache"]),
        ("cluster.placement_strategy=TIGHT", ["placement_strategy", "STRICT_PACK"]),
        ("+task.options.floor_s=5", ["task.options", "not in 'TaskConfig'"]),  # tasks take no options
    ],
)
def test_bad_input_is_a_clear_error(override: str, needles: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load_sweep_config([override])
    for needle in needles:
        assert needle in str(info.value)


def test_reward_models_are_checked_before_anything_loads() -> None:
    ok = load_sweep_config(["strategies=[reward_ranking,beam_search_prm]"])
    assert [s.options["reward_model"] for s in ok.strategies] == ["smollm2_135m_judge",
                                                                  "smollm2_135m_step_judge"]
    with pytest.raises(ConfigError) as info:
        load_sweep_config(["strategies=[reward_ranking]",
                           "+strategy_options.reward_ranking={reward_model: skywork}"])
    assert "unknown reward model 'skywork'" in str(info.value)
    assert "qwen2_5_math_prm_7b" in str(info.value) and "smollm2_135m_judge" in str(info.value)
    with pytest.raises(ConfigError, match="scorer 'reward' and reward_model go together"):
        load_sweep_config(["strategies=[beam_search]", "+strategy_options.beam_search={scorer: reward}"])
    with pytest.raises(ConfigError, match=r"lower engine\.gpu_memory_utilization"):
        load_sweep_config(["strategies=[reward_ranking]", "cluster=gpu"])
    assert load_sweep_config(["strategies=[reward_ranking]", "cluster=gpu",
                              "engine.gpu_memory_utilization=0.5"])


def test_every_engine_and_cluster_field_can_be_overridden() -> None:
    """The group files extend their schema, so fields they do not list are still overridable."""
    from dataclasses import fields

    from harness.config import ClusterConfig, EngineConfig

    values = {"compile": True, "distributed_executor_backend": "ray", "max_retries": 5,
              "placement_timeout_s": 30.0, "placement_strategy": "STRICT_PACK", "max_num_seqs": 64}
    seen = 0
    for group, schema in (("engine", EngineConfig), ("cluster", ClusterConfig)):
        for f in fields(schema):
            if f.name in values:
                text = str(values[f.name]).lower() if isinstance(values[f.name], bool) else values[f.name]
                r = load_sweep_config([f"{group}.{f.name}={text}"])
                assert getattr(getattr(r.sweep, group), f.name) == values[f.name]
                seen += 1
    assert seen == len(values)


def test_a_separate_verifier_model_is_checked_before_anything_loads() -> None:
    verifier = "+strategy_options.verification.verifier_model="
    ok = load_sweep_config(["strategies=[verification]", f"{verifier}qwen2_5_7b"])
    assert ok.strategies[0].options["verifier_model"] == "qwen2_5_7b"
    with pytest.raises(ConfigError, match="unknown model 'qwen9'"):
        load_sweep_config(["strategies=[verification]", f"{verifier}qwen9"])
    with pytest.raises(ConfigError, match=r"verifier model qwen2_5_7b next to the generator on each GPU: .*"
                                          r"= 1\.80 > 0\.9; lower engine\.gpu_memory_utilization"):
        load_sweep_config(["strategies=[verification]", "cluster=gpu",
                           "+strategy_options.verification.verifier_model=qwen2_5_7b"])
    with pytest.raises(ConfigError, match="needs engine=vllm"):
        load_sweep_config(["strategies=[verification]", "engine=openai", "engine.base_url=http://127.0.0.1:1/v1",
                           f"{verifier}qwen2_5_7b"])


def test_cli_exits_2_with_the_message_and_loads_no_model() -> None:
    # in a fresh interpreter: this test process may have imported vllm or ray for other tests
    import json
    import subprocess
    import sys

    probe = ("import json, sys\nfrom harness.cli import main\ncode = main(['sweep', 'task=gsm9k'])\n"
             "print(json.dumps([code, 'vllm' in sys.modules, 'ray' in sys.modules]))\n")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)),
                          capture_output=True, text=True, timeout=120)
    assert json.loads(done.stdout.splitlines()[-1]) == [2, False, False], done.stdout + done.stderr
    assert "unknown task 'gsm9k'" in done.stderr and "gsm8k" in done.stderr


def test_missing_data_names_where_it_looked(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from harness.cli import main

    monkeypatch.setenv("TTC_DATA_DIR", str(tmp_path))
    assert main(["sweep", f"results_dir={tmp_path / 'r'}"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "gsm8k" / "test.jsonl") in err and "TTC_DATA_DIR" in err


def test_oracles_are_never_compute_optimal_candidates() -> None:
    for options in ("{candidates:[pass_at_k]}", "{candidates:[majority,pass_at_k]}"):
        with pytest.raises(ConfigError, match=r"\['pass_at_k'\] read the reference"):
            load_sweep_config(["strategies=[majority,pass_at_k,compute_optimal]",
                               f"+strategy_options={{compute_optimal:{options}}}"])
    ok = load_sweep_config(["strategies=[majority,pass_at_k,compute_optimal]"])  # []: the non-oracles
    assert [s.name for s in ok.strategies][-1] == "compute_optimal"


@pytest.mark.parametrize("strategy", ["majority", "weighted_majority"])
def test_votes_on_code_tasks_resolve_with_behaviour_keys(strategy: str) -> None:
    # HumanEval votes by behaviour on the prompt's examples (tasks.code_votes): no longer refused
    for task in ("humaneval", "humaneval_plus"):
        resolved = load_sweep_config([f"task={task}", f"strategies=[pass_at_k,{strategy}]"])
        assert [s.name for s in resolved.strategies] == ["pass_at_k", strategy]
    # a task without reference-free keys is still refused before any model loads
    from harness.config import check_strategies_fit
    from tasks import get_task

    class NoKeys(type(get_task("humaneval"))):  # type: ignore[misc]
        def voting_unsupported(self) -> str | None:
            return "no example inputs"

    from strategies import get_strategy

    with pytest.raises(ConfigError, match=rf"strategy {strategy} votes, but task humaneval has no "
                                          r"reference-free vote keys: no example inputs"):
        check_strategies_fit([get_strategy(strategy, strategy)], NoKeys())

"""Failures that can be known before work starts: one `error:` line, exit 2, nothing loaded.

Missing or unreadable inputs of every verb, values checked in `resolve` (wandb mode, placement, ...),
model fields overridden from the command line, and a hub model that cannot be fetched (the hub
switched off with `HF_HUB_OFFLINE=1` and an empty Hugging Face cache: no network is touched).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.config import ConfigError, load_sweep_config
from harness.engines.model_source import ModelNotAvailableError, check_model_available

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv", [
    ["report", "/missing/run"],
    ["report", "{tmp}"],
    ["check", "/missing/run", "--baseline", "b.json"],
    ["judge", "--task", "gsm8k", "--input", "/missing/in.jsonl", "--output", "{tmp}/out.jsonl"],
    ["judge", "--task", "gsm8k", "--input", "{tmp}", "--output", "{tmp}/out.jsonl"],
    ["import", "/missing/gens.jsonl", "--task", "gsm8k", "--model", "smollm2_135m"],
])
def test_missing_input_is_one_error_line(argv: list[str], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_unreadable_input_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "in.jsonl"
    path.write_text("{}\n")
    path.chmod(0)
    assert main(["judge", "--task", "gsm8k", "--input", str(path), "--output", str(tmp_path / "o")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(("override", "needle"), [
    ("wandb.mode=offlin", "wandb.mode must be one of offline, online, disabled"),
    ("cluster.replicas=0", "cluster.replicas must be a positive integer"),
    ("cluster.shard_size=0", "cluster.shard_size"),
    ("engine.gpu_memory_utilization=1.5", "engine.gpu_memory_utilization"),
    ("model.dtype=float33", "model.dtype must be one of"),
    ("model.max_model_len=abc", "model.max_model_len"),
])
def test_values_are_checked_in_resolve(override: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_sweep_config([override])
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_model_fields_are_overridable_like_the_rest() -> None:
    r = load_sweep_config(["model.dtype=float32", "model.max_model_len=1024"])
    assert (r.models[0].dtype, r.models[0].max_model_len) == ("float32", 1024)
    assert "dtype: float32" in r.to_yaml()
    r = load_sweep_config(["models=[qwen2_5_0_5b]", "model.path=/data/qwen"])
    assert r.models[0].path == "/data/qwen"
    with pytest.raises(ConfigError, match="one model"):
        load_sweep_config(["models=[qwen2_5_0_5b,smollm2_135m]", "model.path=/data/qwen"])


def test_local_and_embedded_models_need_no_hub(tmp_path: Path) -> None:
    check_model_available("m", "embedded:smollm2-135m-instruct")
    check_model_available("m", str(tmp_path))
    with pytest.raises(ModelNotAvailableError, match="not a folder here"):
        check_model_available("m", str(tmp_path / "nope"))


def _offline_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"), PYTHONPATH=str(ROOT))
    env.pop("HF_HUB_CACHE", None)
    return env


def test_uncached_hub_model_offline_fails_in_the_driver(tmp_path: Path) -> None:
    """The whole CLI, as a user runs it: one line naming the fixes, in seconds, before Ray starts."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "harness", "sweep", "models=[qwen2_5_0_5b]", "limit=2", "wandb.mode=disabled",
         f"results_dir={tmp_path / 'results'}"],
        env=_offline_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: model qwen2_5_0_5b: Qwen/Qwen2.5-0.5B-Instruct is not in the local")
    assert "huggingface-cli download Qwen/Qwen2.5-0.5B-Instruct" in last and "model.path=" in last
    assert "Traceback" not in done.stderr and "ray" not in done.stderr.lower()
    assert time.perf_counter() - start < 120


def test_cached_hub_model_passes_offline(tmp_path: Path) -> None:
    snap = tmp_path / "hf" / "hub" / "models--Org--Model"
    (snap / "snapshots" / "abc").mkdir(parents=True)
    (snap / "snapshots" / "abc" / "config.json").write_text("{}")
    (snap / "refs").mkdir()
    (snap / "refs" / "main").write_text("abc")
    code = ("from harness.engines.model_source import check_model_available as c; "
            "c('m', 'Org/Model'); print('ok')")
    done = subprocess.run([sys.executable, "-c", code], env=_offline_env(tmp_path), capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_placement_error_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                     tmp_path: Path) -> None:
    """The cluster cannot hold a replica (raised where Ray's resources are known): no traceback."""
    import harness.sweep
    from harness.run.placement import PlacementError

    def no_gpus(*args: object, **kwargs: object) -> None:
        raise PlacementError("tensor_parallel_size=2 needs 2 GPUs per replica; the Ray cluster has 0 GPUs")

    monkeypatch.setattr(harness.sweep, "run_shards", no_gpus)
    assert main(["sweep", "limit=1", "budgets=[1]", "strategies=[greedy]", "wandb.mode=disabled",
                 f"results_dir={tmp_path}"]) == 2
    err = capsys.readouterr().err
    assert err == "error: tensor_parallel_size=2 needs 2 GPUs per replica; the Ray cluster has 0 GPUs\n"


def test_uncached_hub_model_with_the_hub_unreachable_fails_fast(tmp_path: Path) -> None:
    """Not switched off, just unreachable (a closed local port stands in for the hub)."""
    env = dict(_offline_env(tmp_path), HF_ENDPOINT="http://127.0.0.1:9")
    env.pop("HF_HUB_OFFLINE")
    code = ("from harness.engines.model_source import check_model_available as c\n"
            "try:\n    c('q', 'Qwen/Qwen2.5-0.5B-Instruct')\nexcept ValueError as e:\n    print(e)")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "the hub cannot be reached" in done.stdout and "model.path=" in done.stdout, done.stderr[-2000:]

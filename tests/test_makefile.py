"""The Makefile a newcomer runs: where benchmarks come from, what `clean` deletes, the engine stamp.

Each test copies the Makefile into a fresh folder (a clone with or without `../shared/data` beside
it) and runs make there; `make sweep` runs the real CLI with `datasets.load_dataset` replaced by a
recorder (the one call the hub path makes), so no network is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import runpy, sys
import datasets

def load_dataset(path, *args, **kwargs):
    print(f"HUB {path} {kwargs.get('split')}", flush=True)
    raise SystemExit(42)

datasets.load_dataset = load_dataset
sys.argv = ["harness", *sys.argv[3:]]  # drop "-m harness"
runpy.run_module("harness", run_name="__main__")
"""


def _clone(tmp_path: Path, with_data: bool) -> Path:
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy(ROOT / "Makefile", clone / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", clone / "pyproject.toml")
    (clone / ".venv").mkdir()
    for stamp in (".installed-cpu", ".installed"):  # an installed CPU venv, newer than pyproject.toml
        (clone / ".venv" / stamp).touch()
    if with_data:
        (tmp_path / "shared" / "data").mkdir(parents=True)
    return clone


def _make(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TTC_DATA_DIR", "MAKEFLAGS", "MFLAGS")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(["make", "-s", *args], cwd=clone, env=env, capture_output=True, text=True,
                          timeout=120)


def test_no_shared_data_means_the_hub(tmp_path: Path) -> None:
    assert _make(_clone(tmp_path, with_data=False), "data-dir").stdout.strip() == \
        "TTC_DATA_DIR=(unset: Hugging Face hub)"


def test_shared_data_beside_the_clone_is_used(tmp_path: Path) -> None:
    clone = _clone(tmp_path, with_data=True)
    assert _make(clone, "data-dir").stdout.strip() == f"TTC_DATA_DIR={tmp_path / 'shared' / 'data'}"
    assert _make(clone, "data-dir", "TTC_DATA_DIR=/elsewhere").stdout.strip() == "TTC_DATA_DIR=/elsewhere"


def test_make_sweep_without_shared_data_reaches_the_hub(tmp_path: Path) -> None:
    clone = _clone(tmp_path, with_data=False)
    (tmp_path / "probe.py").write_text(PROBE)
    probe = f"PY={sys.executable} {tmp_path / 'probe.py'}"
    done = _make(clone, "sweep", probe, "ARGS=limit=2 wandb.mode=disabled")
    assert "HUB openai/gsm8k test" in done.stdout, done.stdout + done.stderr
    assert "benchmark file not found" not in done.stderr


def test_clean_keeps_samples_and_clean_samples_names_them(tmp_path: Path) -> None:
    clone = _clone(tmp_path, with_data=False)
    clean = _make(clone, "-n", "clean").stdout
    assert ".venv" in clean and "results" not in clean
    assert "results/store" in _make(clone, "-n", "clean-samples").stdout


def test_engine_is_part_of_the_install_stamp(tmp_path: Path) -> None:
    clone = _clone(tmp_path, with_data=False)
    assert "pip install" not in _make(clone, "-n", "setup").stdout
    gpu = _make(clone, "-n", "setup", "ENGINE=gpu").stdout
    assert 'pip install -q -e ".[gpu,dev]"' in gpu and "rm -rf .venv" in gpu


@pytest.mark.parametrize("with_data", [False, True])
def test_ci_run_sets_the_data_folder_only_when_it_exists(tmp_path: Path, with_data: bool) -> None:
    clone = _clone(tmp_path, with_data)
    (clone / ".ci").mkdir()
    script = (ROOT / ".ci" / "run").read_text()
    script = script.replace("bash .ci/install-bwrap.sh\n", "")  # installs a system package: not here
    script = script.replace("make setup\nmake test\n", 'echo "D=${TTC_DATA_DIR:-}"\n')
    (clone / ".ci" / "run").write_text(script)
    env = {k: v for k, v in os.environ.items() if k != "TTC_DATA_DIR"}
    out = subprocess.run(["bash", str(clone / ".ci" / "run")], env=env, capture_output=True, text=True).stdout
    assert out.strip() == (f"D={tmp_path / 'shared' / 'data'}" if with_data else "D=")


FAKE_PYTEST = """#!/bin/bash
echo "pytest $*" >> calls.txt
if [[ "$*" == *"not slow"* ]]; then exit {fast}; else exit {slow}; fi
"""


@pytest.mark.parametrize(("fast", "slow"), [(0, 0), (1, 0), (0, 1)])
def test_make_test_runs_the_fast_tests_in_parallel_then_the_slow_ones_and_fails_if_either_fails(
        tmp_path: Path, fast: int, slow: int) -> None:
    clone = _clone(tmp_path, with_data=False)
    fake = clone / "fake-python"
    fake.write_text(FAKE_PYTEST.format(fast=fast, slow=slow))
    fake.chmod(0o755)
    done = _make(clone, "test", f"PY={fake}")
    assert (done.returncode == 0) == (fast == slow == 0), done.stdout + done.stderr
    first, second = (clone / "calls.txt").read_text().splitlines()  # both halves ran, whatever the first gave
    assert '-m not slow' in first and " -n " in first and "--dist loadfile" in first
    assert "-m slow" in second and " -n " not in second  # one real engine at a time

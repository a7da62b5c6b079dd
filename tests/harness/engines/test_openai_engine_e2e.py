"""The OpenAI-compatible engine against a real local vLLM server (127.0.0.1) serving the embedded
model: a sweep with a selection and a search strategy runs through it, and what it stored matches
what the server returns for the same request."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.records import SamplingParams
from harness.config import load_sweep_config
from harness.engines.cpu_binding import cpu_binding
from harness.engines.embedded import resolve_model_path
from harness.run.store import PoolStore
from harness.sweep import run_sweep
from tasks import get_task

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import httpx

    path = resolve_model_path("embedded:smollm2-135m-instruct")
    port = free_port()
    cmd = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", path, "--host", "127.0.0.1",
           "--port", str(port), "--dtype", "float32", "--max-model-len", "1024", "--seed", "0",
           "--compilation-config", '{"mode": 0}']
    env = dict(os.environ, VLLM_CPU_KVCACHE_SPACE="1", **cpu_binding().env())  # the server gets every core
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.time() + 420
        while time.time() < deadline:
            assert proc.poll() is None, "vLLM server exited during startup"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(2)
        else:
            pytest.fail("vLLM server did not become healthy in 420 s")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_sweep_through_the_openai_engine(server: str, tmp_path: Path) -> None:
    results = tmp_path / "results"
    result = run_sweep(load_sweep_config([
        "engine=openai", f"engine.base_url={server}", "limit=2", "budgets=[1,2]", "max_tokens=32",
        "strategies=[greedy,pass_at_k,revision]", "+strategy_options.revision={budgets: [1, 2]}",
        f"results_dir={results}", "name=openai", "wandb.mode=disabled"]))
    assert result.generated == result.planned == 2 * (1 + 2 + 2)
    points = json.loads((result.run_dir / "metrics.json").read_text())["points"]
    assert {p["strategy"] for p in points} == {"greedy", "pass_at_k", "revision"}
    assert all(p["mean_tokens"] > 0 and p["mean_flops"] > 0 for p in points)
    # the stored greedy sample is what the server returns for the same request
    from harness.engines.openai_engine import OpenAIEngine

    engine = OpenAIEngine(resolve_model_path("embedded:smollm2-135m-instruct"), base_url=server)
    assert engine.name.startswith("openai-api:")
    task = get_task("gsm8k")
    problem = task.load(None, 1)[0]
    prompt = engine.render(task.messages(problem))
    [[again]] = engine.generate([prompt], [SamplingParams(temperature=0.0, max_tokens=32, top_logprobs=5)])
    greedy_dir = next(d for d in (results / "store" / "smollm2_135m" / "gsm8k").iterdir()
                      if json.loads((d / "pool.json").read_text())["kind"] == "greedy")
    stored = PoolStore(results / "store", "smollm2_135m", "gsm8k", greedy_dir.name).read()[(problem.id, 0)]
    assert stored.output.text == again.text and stored.output.completion_tokens == again.completion_tokens > 0
    assert stored.output.prompt_tokens == again.prompt_tokens > 0 and stored.engine.startswith("openai-api:")
    assert again.mean_logprob < 0 and 1 <= len(again.top_logprobs) <= 6
    # a server without `n`: one request per completion, same shape of answer
    path = resolve_model_path("embedded:smollm2-135m-instruct")
    single = OpenAIEngine(path, base_url=server, supports_n=False)
    [pair] = single.generate([prompt], [SamplingParams(temperature=0.8, max_tokens=8, n=2)])
    assert len(pair) == 2 and all(c.completion_tokens > 0 for c in pair)

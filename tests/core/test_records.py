"""Sample is composed of the engine's Completion: one store line per sample, the same bytes as before."""

from __future__ import annotations

import json

import pytest

from core.records import Completion, Sample

# a line of results/store written before the composition (HumanEval pool of smollm2_135m)
STORED = (
    '{"problem_id": "HumanEval/0", "model": "smollm2_135m", "pool": "540cf2cb8979", "index": 1, "text": '
    '"Here\'s the complete Python implementation of the function:\\n\\n```python\\ndef has_close_elements('
    'numbers: List[float], threshold: float) -> bool:\\n    return all([abs(abs(num - threshold)) <= '
    'threshold for num in numbers])\\n```", "finish_reason": "stop", "prompt_tokens": 180, '
    '"completion_tokens": 57, "mean_logprob": -0.5013814652513422, "sum_logprob": -28.57874351932651, '
    '"latency_s": 0.33277739761394987, "engine": "vllm-0.32.0", "role": "generator", "calls": [], "info": {}}'
)


def test_a_line_written_before_reads_back_and_writes_the_same_bytes() -> None:
    sample = Sample.from_json(json.loads(STORED))
    assert sample.output.completion_tokens == 57 and sample.output.text.startswith("Here's the complete")
    assert sample.index == 1 and sample.engine == "vllm-0.32.0" and sample.role == "generator"
    assert json.dumps(sample.to_json(), ensure_ascii=False) == STORED
    torn = {k: v for k, v in json.loads(STORED).items() if k != "latency_s"}
    with pytest.raises(TypeError):  # what the store skips as a killed writer's last line
        Sample.from_json(torn)


def test_the_engines_completion_is_the_samples_output_and_per_call_facts_are_not_stored() -> None:
    completion = Completion(text="4", finish_reason="stop", prompt_tokens=12, completion_tokens=1,
                            mean_logprob=-0.25, sum_logprob=-0.25, latency_s=0.5, stop_reason="\n\n",
                            top_logprobs=(("4", -0.25),))
    sample = Sample(problem_id="p", model="m", pool="h", index=0, output=completion, engine="scripted")
    row = sample.to_json()
    assert list(row) == ["problem_id", "model", "pool", "index", "text", "finish_reason", "prompt_tokens",
                         "completion_tokens", "mean_logprob", "sum_logprob", "latency_s", "engine", "role",
                         "calls", "info"]
    back = Sample.from_json(json.loads(json.dumps(row)))
    assert back.output == Completion("4", "stop", 12, 1, -0.25, -0.25, 0.5)  # no stop_reason, top_logprobs
    assert back == Sample("p", "m", "h", 0, back.output, "scripted")

"""FLOPs formula against an independent count: torch's FlopCounterMode on the real SmolLM2-135M forward.

FlopCounterMode counts every matmul the forward runs (the blocks' linears, the LM head, and, with
eager attention, QK^T and AV as batched matmuls). A causal prefill computes the full T x T score
matrices and masks half, so the counted attention matmuls are halved; a decode step over a KV cache
attends to every cached key, so nothing is halved. The formula must agree to within 2%.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.flops import decode_flops, prefill_flops
from harness.engines.embedded import ensure_checkpoint
from harness.engines.model_info import load_model_info

CONTEXT = 512


@pytest.fixture(scope="module")
def counted() -> dict[str, Any]:
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    from transformers import AutoModelForCausalLM

    path = ensure_checkpoint("smollm2-135m-instruct")
    lm = AutoModelForCausalLM.from_pretrained(path, attn_implementation="eager").eval()
    ids = torch.randint(0, lm.config.vocab_size, (1, CONTEXT + 1), generator=torch.Generator().manual_seed(0))

    def count(**inputs: Any) -> tuple[float, float, Any]:
        mode = FlopCounterMode(display=False)
        with torch.no_grad(), mode:
            out = lm(**inputs, use_cache=True)
        ops = {str(k): float(v) for k, v in mode.get_flop_counts()["Global"].items()}
        attention = ops.pop("aten.bmm", 0.0)  # eager attention's QK^T and AV
        return sum(ops.values()), attention, out

    linear, attention, out = count(input_ids=ids[:, :CONTEXT])
    step_linear, step_attention, _ = count(input_ids=ids[:, CONTEXT:], past_key_values=out.past_key_values)
    return {"info": load_model_info("smollm2_135m", str(path)), "prefill": linear + attention / 2,
            "decode": step_linear + step_attention, "head_share": 2 * 576 * 49152 / step_linear}


def test_prefill_flops_match_a_counted_forward(counted: dict[str, Any]) -> None:
    formula = prefill_flops(counted["info"], CONTEXT)
    assert formula == pytest.approx(counted["prefill"], rel=0.02)


def test_decode_token_flops_match_a_counted_step(counted: dict[str, Any]) -> None:
    formula = decode_flops(counted["info"], CONTEXT, 1)
    assert formula == pytest.approx(counted["decode"], rel=0.02)
    assert counted["head_share"] > 0.2  # the LM head is a fifth of a SmolLM2 forward: it must be counted

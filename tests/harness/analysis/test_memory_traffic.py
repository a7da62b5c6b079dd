"""Memory-traffic cost model on hand-computed cases and a step-by-step count."""

from __future__ import annotations

import pytest

from core.records import ModelInfo
from harness.analysis.memory_traffic import (
    accelerator,
    batch_decode_bytes,
    bytes_per_value,
    decode_bytes,
    effective_flops,
    kv_bytes_per_token,
    prefill_bytes,
    weight_bytes,
)
from harness.engines.model_info import model_info_from_config

# round numbers: 10^8 parameters, 30 layers, 9 query heads of 64 (d_attn 576), 3 KV heads, bf16
MODEL = ModelInfo(name="m", path="-", n_params=10**8, n_params_nonembedding=7 * 10**7, n_layers=30,
                  d_model=576, n_heads=9, n_kv_heads=3, d_attn=576, context_length=2048, vocab_size=49152,
                  dtype="bfloat16")


def test_per_token_sizes_by_hand() -> None:
    assert kv_bytes_per_token(MODEL) == 2 * 30 * 3 * 64 * 2 == 23040
    assert kv_bytes_per_token(MODEL, kv_dtype="fp8") == 11520
    assert weight_bytes(MODEL) == 2e8
    assert weight_bytes(MODEL, "float32") == 4e8
    assert bytes_per_value("torch.float16") == 2


def test_decode_bytes_by_hand() -> None:
    # prompt 100, 3 tokens, batch 4: weights 3 x 2e8 / 4 = 1.5e8; contexts 100 + 101 + 102 = 303
    assert decode_bytes(MODEL, 100, 3, batch=4) == 1.5e8 + 23040 * 303
    # shared prompt cache: each sequence reads 100/4 = 25 of the prompt per step: 3 x 25 + 0 + 1 + 2
    assert decode_bytes(MODEL, 100, 3, batch=4, shared_prompt=True) == 1.5e8 + 23040 * 78
    assert decode_bytes(MODEL, 100, 0) == 0.0
    assert prefill_bytes(MODEL, 100) == 2e8 + 23040 * 100
    with pytest.raises(ValueError):
        decode_bytes(MODEL, 100, 3, batch=0)


def test_decode_bytes_equals_a_step_by_step_count() -> None:
    info = model_info_from_config("smol", "-", {
        "hidden_size": 576, "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
        "intermediate_size": 1536, "vocab_size": 49152, "tie_word_embeddings": True,
        "torch_dtype": "bfloat16"})
    prompt, length, batch = 57, 40, 8
    head_dim = 576 // 9
    total = 0.0
    for step in range(length):  # each step: a share of the weights, then this sequence's whole cache
        total += info.n_params * 2 / batch
        total += (prompt + step) * 30 * 3 * head_dim * (2 + 2)  # K and V, 2 bytes each
    assert decode_bytes(info, prompt, length, batch=batch) == pytest.approx(total, rel=1e-12)


def test_batch_decode_bytes_by_hand() -> None:
    # prompt 100, a batch of lengths 1 and 9: 9 steps read the weights (9 x 2e8); the caches read
    # 100 (first sequence) + 100 + 101 + ... + 108 = 936 (second): 1036 token positions
    assert batch_decode_bytes(MODEL, 100, [1, 9]) == 9 * 2e8 + 23040 * 1036
    assert batch_decode_bytes(MODEL, 100, [3]) == decode_bytes(MODEL, 100, 3)  # a batch of one
    assert batch_decode_bytes(MODEL, 100, []) == 0.0


def test_effective_flops_and_hardware_table() -> None:
    h100 = accelerator("h100")
    assert h100.intensity == pytest.approx(989.4 / 3.35)
    assert accelerator("a100").intensity == pytest.approx(312 / 2.039)
    # 1e12 FLOPs and 1e9 bytes on an H100: 1e12 + 295.3 x 1e9
    assert effective_flops(1e12, 1e9, h100.intensity) == pytest.approx(1e12 + 295.3432835820895e9)
    with pytest.raises(ValueError, match="valid accelerators"):
        accelerator("tpu")
    with pytest.raises(ValueError, match="valid dtypes"):
        bytes_per_value("int3")

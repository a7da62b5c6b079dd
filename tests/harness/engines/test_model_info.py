"""Parameter counts and FLOPs against hand computation."""

from __future__ import annotations

import pytest

from core.flops import decode_flops, prefill_flops
from harness.engines.model_info import model_info_from_config

SMOLLM2_135M = {  # config.json of HuggingFaceTB/SmolLM2-135M-Instruct
    "model_type": "llama", "hidden_size": 576, "num_hidden_layers": 30, "num_attention_heads": 9,
    "num_key_value_heads": 3, "intermediate_size": 1536, "vocab_size": 49152,
    "tie_word_embeddings": True, "max_position_embeddings": 8192, "torch_dtype": "bfloat16",
}
LLAMA3_8B = {
    "model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
    "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256,
    "tie_word_embeddings": False, "max_position_embeddings": 8192, "torch_dtype": "bfloat16",
}


def test_smollm2_135m_counts() -> None:
    info = model_info_from_config("s", "p", SMOLLM2_135M)
    # per layer: q 576*576 + k,v 2*576*192 + o 576*576 + mlp 3*576*1536 + 2 norms of 576
    per_layer = 331_776 + 221_184 + 331_776 + 2_654_208 + 1_152
    assert per_layer == 3_540_096
    assert info.n_params_nonembedding == 30 * per_layer + 576 == 106_203_456
    assert info.n_params == 106_203_456 + 49152 * 576 == 134_515_008  # "135M", tied head
    assert (info.n_layers, info.d_attn, info.n_kv_heads, info.context_length) == (30, 576, 3, 8192)


def test_llama3_8b_counts() -> None:
    info = model_info_from_config("l", "p", LLAMA3_8B)
    per_layer = 4096 * 4096 * 2 + 2 * 4096 * 1024 + 3 * 4096 * 14336 + 2 * 4096
    assert info.n_params_nonembedding == 32 * per_layer + 4096 == 6_979_588_096
    assert info.n_params == 6_979_588_096 + 2 * 128256 * 4096 == 8_030_261_248  # "8.03B", untied


def test_qwen2_has_qkv_bias() -> None:
    cfg = dict(SMOLLM2_135M, model_type="qwen2")
    base = model_info_from_config("s", "p", SMOLLM2_135M).n_params_nonembedding
    assert model_info_from_config("q", "p", cfg).n_params_nonembedding == base + 30 * (576 + 2 * 192)


def test_flops_by_hand() -> None:
    info = model_info_from_config("s", "p", SMOLLM2_135M)
    n, layers, d_attn = 106_203_456, 30, 576
    # 3 tokens after a 10-token prompt: contexts 10, 11, 12
    head = 2 * 576 * 49152  # the tied LM head is computed all the same
    expected = sum(2 * n + head + 4 * layers * t * d_attn for t in (10, 11, 12))
    assert decode_flops(info, 10, 3) == pytest.approx(expected)
    per_position = [2 * n + head + 4 * layers * t * d_attn for t in range(4)]
    assert prefill_flops(info, 4) == pytest.approx(sum(per_position))
    assert prefill_flops(info, 4, cached=3) == pytest.approx(2 * n + head + 4 * layers * 3 * d_attn)
    assert decode_flops(info, 10, 0) == 0.0

"""FLOPs of inference, derived from tokens and architecture; never guessed.

The convention (docs/compute.md): one forward token position at context t (t earlier positions in
the KV cache) costs

    2 N  +  2 d_model V  +  4 n_layer t d_attn

N = non-embedding parameters (every weight matmul of the blocks), 2 d_model V the output layer
(the LM head's matmul is real compute even when its weights are tied to the embedding), and
4 n_layer t d_attn the two attention matmuls QK^T and AV over the t cached keys. A prompt of p
tokens of which the first `cached` are already in the KV cache costs its positions cached..p-1;
n completions cost their tokens' positions after the prompt, each at its own context when the
completions' lengths are known (else each charged the mean length, fractional: the linear terms stay
exact, only the attention term assumes equal lengths).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.records import ModelInfo


def position_flops(info: ModelInfo) -> float:
    """FLOPs of one token position, without attention over the cache: 2 N + 2 d_model V."""
    return 2.0 * info.n_params_nonembedding + 2.0 * info.d_model * info.vocab_size


def _tokens_flops(info: ModelInfo, start: float, count: float) -> float:
    """FLOPs of `count` forward token positions at contexts start, start+1, ..., start+count-1."""
    if count <= 0:
        return 0.0
    context_sum = count * start + count * (count - 1) / 2
    return position_flops(info) * count + 4.0 * info.n_layers * info.d_attn * context_sum


def prefill_flops(info: ModelInfo, prompt_tokens: int, cached: int = 0) -> float:
    """FLOPs to encode a prompt whose first `cached` tokens are already in the KV cache."""
    cached = max(0, min(cached, prompt_tokens))
    return _tokens_flops(info, cached, prompt_tokens - cached)


def decode_flops(info: ModelInfo, prompt_tokens: int, completion_tokens: float) -> float:
    """FLOPs to generate `completion_tokens` after a prompt of `prompt_tokens`."""
    return _tokens_flops(info, prompt_tokens, completion_tokens)


def call_flops(
    info: ModelInfo, prompt_tokens: int, completion_tokens: int, n: int, cached: int = 0,
    lengths: Sequence[int] = (),
) -> float:
    """FLOPs of one engine request: its prompt prefilled once (less its `cached` prefix), then n
    completions of `completion_tokens` tokens in total, every token charged (each completion at its
    own `lengths` when given, else the mean length each)."""
    prefill = prefill_flops(info, prompt_tokens, cached)
    if lengths:
        return prefill + sum(decode_flops(info, prompt_tokens, c) for c in lengths)
    each = completion_tokens / n if n else 0.0
    return prefill + n * decode_flops(info, prompt_tokens, each)

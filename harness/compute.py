"""FLOPs of inference, derived from tokens and architecture; never guessed.

Per generated token at context length t: 2N + 2 n_layer t d_attn (N = non-embedding parameters;
the second term is attention over the KV cache). A prompt of p tokens costs
sum_{t<p} (2N + 2 n_layer t d_attn) once per pool: all samples of one problem share its prefill.
"""

from __future__ import annotations

from harness.records import ModelInfo


def _tokens_flops(info: ModelInfo, start: int, count: int) -> float:
    """FLOPs of `count` forward token positions at contexts start, start+1, ..., start+count-1."""
    if count <= 0:
        return 0.0
    context_sum = count * start + count * (count - 1) / 2
    return 2.0 * info.n_params_nonembedding * count + 2.0 * info.n_layers * info.d_attn * context_sum


def prefill_flops(info: ModelInfo, prompt_tokens: int) -> float:
    """FLOPs to encode a prompt once."""
    return _tokens_flops(info, 0, prompt_tokens)


def decode_flops(info: ModelInfo, prompt_tokens: int, completion_tokens: int) -> float:
    """FLOPs to generate `completion_tokens` after a prompt of `prompt_tokens`."""
    return _tokens_flops(info, prompt_tokens, completion_tokens)


def call_flops(info: ModelInfo, prompt_tokens: int, completion_tokens: int, n: int) -> float:
    """FLOPs of one engine request: its prompt prefilled once, then n completions of
    `completion_tokens` tokens in total (each charged the mean length)."""
    each = completion_tokens / n if n else 0.0
    return prefill_flops(info, prompt_tokens) + n * decode_flops(info, prompt_tokens, round(each))

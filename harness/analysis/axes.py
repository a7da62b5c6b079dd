"""Budget axes: the units a curve's x can be read in, each derived from a `CurvePoint`."""

from __future__ import annotations

from collections.abc import Callable

from core.records import CurvePoint

AXES: dict[str, tuple[str, Callable[[CurvePoint], float]]] = {
    "samples": ("samples per problem", lambda p: p.mean_samples),
    "tokens": ("generated tokens per problem", lambda p: p.mean_tokens),
    "total_tokens": ("prompt + generated tokens per problem", lambda p: p.mean_total_tokens),
    "flops": ("FLOPs per problem (prefill + decode)", lambda p: p.mean_flops),
    "seconds": ("engine seconds per problem", lambda p: p.mean_seconds),
    "dollars": ("dollars per problem (price table)", lambda p: p.mean_dollars),
    "latency": ("modeled wall-clock seconds per query", lambda p: p.mean_latency),
    "eflops": ("effective FLOPs per problem (FLOPs + I x memory bytes)", lambda p: p.mean_eflops),
}


def axis(name: str) -> Callable[[CurvePoint], float]:
    if name not in AXES:
        raise ValueError(f"unknown budget axis '{name}'; valid axes: {', '.join(AXES)}")
    return AXES[name][1]


def axis_label(name: str) -> str:
    return AXES[name][0]

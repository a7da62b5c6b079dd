"""Typed, frozen records that flow between plan, execute, store and analyze.

Every sample records its tokens and seconds when it is produced, because compute is the x-axis of
every result. `Problem` and `Verdict` live in `tasks` (tasks import nothing of the harness).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class SamplingParams:
    """How a pool is sampled; its stable hash (with model, task and prompt) names the pool."""

    temperature: float
    """0 means greedy decoding."""
    top_p: float = 1.0
    """Nucleus sampling mass."""
    max_tokens: int = 384
    """Most new tokens per sample."""
    stop: tuple[str, ...] = ()
    """Stop strings (not included in the text)."""
    n: int = 1
    """Samples per problem in the pool."""
    top_logprobs: int = 0
    """Alternatives to report for the FIRST generated token (0: none); used by verifiers for P("yes")."""

    def key(self) -> dict[str, Any]:
        """The fields that change what is generated (n is excluded: a pool can grow)."""
        return {
            "temperature": float(self.temperature),
            "top_p": float(self.top_p),
            "max_tokens": int(self.max_tokens),
            "stop": list(self.stop),
        }


def stable_hash(payload: dict[str, Any], length: int = 12) -> str:
    """Short sha256 of a JSON payload with sorted keys: equal payloads give equal names."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


@dataclass(frozen=True)
class Sample:
    """One completion as the engine produced it, named by its pool and index (one line of a store
    shard: the identity fields and the output's fields side by side, the output's `PER_CALL` ones
    left out)."""

    problem_id: str
    """`Problem.id` it answers."""
    model: str
    """Model config name (e.g. `smollm2_135m`)."""
    pool: str
    """Hash of the pool (model, task, prompt version, sampling params)."""
    index: int
    """Position in the pool, 0..n-1; (problem_id, index) is unique within a pool."""
    output: Completion
    """What was generated: text, finish reason, tokens, log-probs, engine seconds."""
    engine: str
    """Engine name and version, e.g. `vllm-0.32.0`."""
    role: str = "generator"
    """Who produced it: generator, verifier, reward_model; `search` for a search strategy's trace."""
    calls: list[dict[str, Any]] = field(default_factory=list)
    """Search traces only: every engine call charged to it (`strategies._search.Call` as a dict)."""
    info: dict[str, float] = field(default_factory=dict)
    """Search traces only: strategy facts (waits appended, steps taken, rounds, ...)."""

    def to_json(self) -> dict[str, Any]:
        # {problem_id, model, pool, index, text, ..., latency_s, engine, role, calls, info}: the line as
        # it was when the output's fields were the sample's own
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        del row["output"]
        stored = {k: v for k, v in asdict(self.output).items() if k not in PER_CALL}
        head = ("problem_id", "model", "pool", "index")
        return {**{k: row.pop(k) for k in head}, **stored, **row}

    @staticmethod
    def from_json(row: dict[str, Any]) -> Sample:
        """A store line back; a line missing a field (a torn write) raises TypeError."""
        names = {f.name for f in fields(Completion)} - set(PER_CALL)
        output = Completion(**{k: v for k, v in row.items() if k in names})
        return Sample(output=output, **{k: v for k, v in row.items() if k not in names})


@dataclass(frozen=True)
class ModelInfo:
    """Architecture facts read from a model's config; FLOPs are derived from them."""

    name: str
    """Model config name."""
    path: str
    """Local checkpoint folder or hub id the engine loads."""
    n_params: int
    """Total parameters, embeddings included."""
    n_params_nonembedding: int
    """Parameters outside the token embedding and the (untied) output head."""
    n_layers: int
    """Transformer blocks."""
    d_model: int
    """Hidden size."""
    n_heads: int
    """Attention (query) heads."""
    n_kv_heads: int
    """Key/value heads (GQA)."""
    d_attn: int
    """Attention width n_heads x head_dim (usually d_model)."""
    context_length: int
    """Maximum positions."""
    vocab_size: int
    """Tokenizer vocabulary."""
    dtype: str
    """Weights dtype as configured."""


@dataclass(frozen=True)
class CurvePoint:
    """One point of an accuracy-vs-compute curve: a (model, task, strategy, budget) cell."""

    model: str
    task: str
    strategy: str
    budget: int
    """Budget in the strategy's unit (samples for selection strategies)."""
    accuracy: float
    """Mean over problems of the expected per-problem accuracy."""
    ci_low: float
    """2.5th percentile of a seeded bootstrap over problems."""
    ci_high: float
    """97.5th percentile of a seeded bootstrap over problems."""
    mean_samples: float
    """Samples charged per problem."""
    mean_tokens: float
    """Generated tokens charged per problem."""
    mean_flops: float
    """FLOPs charged per problem (prefill + decode)."""
    mean_seconds: float
    """Engine seconds charged per problem."""
    n_problems: int
    mean_total_tokens: float = 0.0
    """Prompt (once, shared by the k samples) plus generated tokens per problem."""
    mean_dollars: float = 0.0
    """Price-table cost per problem (prompt once + generated tokens)."""
    bin: str = "all"
    """Difficulty bin the point is computed on (`all`, `level=3`, `subject=Algebra`, `quintile=1`)."""
    extra: dict[str, float] = field(default_factory=dict)
    """Strategy-specific figures, e.g. resampling standard error."""
    oracle: bool = False
    """The strategy read the reference to choose (pass@k): an upper bound that needs a perfect
    verifier, drawn dashed and never on the Pareto frontier."""
    mean_latency: float = 0.0
    """Modeled wall-clock seconds per query from the samples' measured engine seconds: parallel samples
    wait for the slowest, sequential calls add up (`harness.analysis.query_cost`)."""
    mean_eflops: float = 0.0
    """Effective FLOPs per problem: FLOPs + I x memory bytes moved, I the run's accelerator's arithmetic
    intensity (`harness.analysis.memory_traffic`)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Completion:
    """One output of an engine call, before the harness names its pool and index (`Sample.output`)."""

    text: str
    """Generated text, without the prompt."""
    finish_reason: str
    """`stop` or `length` (or an engine-specific reason; `search` for a search strategy's trace)."""
    prompt_tokens: int
    """Tokens of the prompt (shared by all outputs of a request)."""
    completion_tokens: int
    """Tokens generated for this output."""
    mean_logprob: float | None
    """Mean log-probability of the generated tokens (engines always give one); None: no score (a
    sample imported without log-probs; a sample with no generated tokens has none either, whatever
    the engine wrote)."""
    sum_logprob: float | None
    """Sum of log-probabilities of the generated tokens (None when `mean_logprob` is)."""
    latency_s: float
    """The call's wall-clock seconds, split over its outputs in proportion to their tokens."""
    stop_reason: str | None = None
    """The stop string that ended it (None: end-of-sequence token or length)."""
    top_logprobs: tuple[tuple[str, float], ...] = ()
    """First generated token's most likely alternatives (decoded text, log-prob), when requested."""


PER_CALL = ("stop_reason", "top_logprobs")
"""`Completion` fields a strategy reads during its call and the store does not keep."""

"""A scripted engine and reward model: the engine protocols answered from a script, in microseconds.

For fast tests of a strategy's control flow, budget rule and compute charge. A script is a function
`(prompt, params, k) -> Reply` giving the k-th of `params.n` completions of `prompt`. The engine then
does what a real engine does to it, by fixed rules that tests can count by hand:

- one token per character: `prompt_tokens = len(prompt)`, `completion_tokens = len(text)`;
- the reply is cut at the first of `params.stop` it contains (`finish_reason` "stop", `stop_reason`
  that string), else at `params.max_tokens` characters ("length"), else ends its turn ("stop", no
  stop_reason), unless the Reply says `finish_reason` itself;
- log-probs: `mean_logprob` from the Reply, `sum_logprob = mean x tokens`; the first token's
  alternatives only when `params.top_logprobs > 0`; `latency_s` is 1 ms per token.

`render` is a fixed chat template (`<|role|>\\ncontent\\n` per message, then `<|assistant|>\\n`).
Every call is recorded (`calls`) with the totals a real engine would report (`prompt_tokens`,
`completion_tokens`), so tests compare a strategy's charges with what the engine did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.engine import Message, Reward
from core.records import Completion, SamplingParams

ASSISTANT = "<|assistant|>\n"


@dataclass(frozen=True)
class Reply:
    """What the script says the model writes (before stop strings and max_tokens apply)."""

    text: str
    mean_logprob: float = -1.0
    """Mean token log-prob of the completion."""
    top_logprobs: tuple[tuple[str, float], ...] = ()
    """First token's alternatives (reported only when the request asks for them)."""
    finish_reason: str | None = None
    """Force a finish reason (e.g. "length"); None: from the rules above."""


Script = Callable[[str, SamplingParams, int], Reply]


def render(messages: list[Message]) -> str:
    return "".join(f"<|{m['role']}|>\n{m['content']}\n" for m in messages) + ASSISTANT


def complete(prompt: str, params: SamplingParams, reply: Reply) -> Completion:
    """One Completion from a Reply, by the module's rules."""
    text, finish, stop_reason = reply.text, "stop", None
    cuts = [(text.find(s), s) for s in params.stop if s and s in text]
    if cuts:
        at, stop_reason = min(cuts)
        text = text[:at]
    if len(text) > params.max_tokens:
        text, finish, stop_reason = text[:params.max_tokens], "length", None
    n = len(text)
    return Completion(
        text=text, finish_reason=reply.finish_reason or finish, prompt_tokens=len(prompt),
        completion_tokens=n, mean_logprob=reply.mean_logprob if n else 0.0,
        sum_logprob=reply.mean_logprob * n, latency_s=0.001 * n, stop_reason=stop_reason,
        top_logprobs=reply.top_logprobs if params.top_logprobs else (),
    )


@dataclass
class ScriptedEngine:
    """The engine protocol from a script; records every call and the tokens it reported."""

    script: Script
    label: str = "scripted"
    calls: list[tuple[list[str], list[SamplingParams]]] = field(default_factory=list)
    """(prompts, params) of every generate call, in order."""
    prompt_tokens: int = 0
    """Prompt tokens over all calls (one prefill per prompt, shared by its n completions)."""
    completion_tokens: int = 0

    @property
    def name(self) -> str:
        return self.label

    def render(self, messages: list[Message]) -> str:
        return render(messages)

    def generate(self, prompts: list[str], params: list[SamplingParams]) -> list[list[Completion]]:
        self.calls.append((list(prompts), list(params)))
        out = [[complete(prompt, p, self.script(prompt, p, k)) for k in range(p.n)]
               for prompt, p in zip(prompts, params, strict=True)]
        self.prompt_tokens += sum(len(prompt) for prompt in prompts)
        self.completion_tokens += sum(c.completion_tokens for cs in out for c in cs)
        return out


RewardScript = Callable[[str, list[str]], tuple[float, ...]]
"""(problem, steps) -> one score per step (process) or a 1-tuple (outcome)."""


@dataclass
class ScriptedRewardModel:
    """The reward-model protocol from a script: prompt tokens = characters of problem and steps,
    FLOPs = 1,000 per prompt token, latency 1 ms per call."""

    script: RewardScript
    kind: str = "outcome"
    label: str = "scripted_judge"
    calls: list[int] = field(default_factory=list)
    """Solutions scored per call."""
    prompt_tokens: int = 0
    flops: float = 0.0

    @property
    def name(self) -> str:
        return self.label

    def score(self, problems: list[str], steps: list[list[str]]) -> list[Reward]:
        self.calls.append(len(problems))
        out = []
        for problem, s in zip(problems, steps, strict=True):
            scores = self.script(problem, s)
            tokens = len(problem) + sum(len(x) for x in s)
            self.prompt_tokens += tokens
            self.flops += 1000.0 * tokens
            out.append(Reward(score=scores[-1], step_scores=tuple(scores) if self.kind == "process" else (),
                              prompt_tokens=tokens, flops=1000.0 * tokens, latency_s=0.001))
        return out

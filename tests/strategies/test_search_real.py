"""Search strategies on the real embedded model through real vLLM (the session's one engine).

One real run per family of search strategy (budget forcing, revision, tree search with a process
reward model, reward ranking, verification by a separate verifier model), each on 2 GSM8K problems
with small budgets; their control flow and charges in every variant are checked in milliseconds
against the scripted engine (test_search_scripted.py). A counting proxy sits between the
strategy and the engine and tallies what the engine reported, so the tests check a strategy's
charged tokens against the engine's own counts, not against the strategy's bookkeeping. Reward
models (the embedded model read as an outcome and a process judge through vLLM's pooling runner)
are checked against a plain transformers forward pass, then used by reward_ranking and PRM beam
search behind the same kind of counting proxy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from core.auxiliary import AuxModel, SearchContext
from core.engine import Message, Reward
from core.records import Completion, ModelInfo, SamplingParams
from strategies import SearchStrategy, get_strategy
from strategies._search import Cell, Trace
from tasks import Problem, get_task

pytestmark = pytest.mark.slow


@dataclass
class CountingEngine:
    """Forwards to the real engine and sums what it reported."""

    engine: object
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: list[int] = field(default_factory=list)
    """Prompts per generate call."""

    @property
    def name(self) -> str:
        return str(self.engine.name)  # type: ignore[attr-defined]

    def render(self, messages: list[Message]) -> str:
        return str(self.engine.render(messages))  # type: ignore[attr-defined]

    def generate(self, prompts: list[str], params: list[SamplingParams]) -> list[list[Completion]]:
        out: list[list[Completion]] = self.engine.generate(prompts, params)  # type: ignore[attr-defined]
        self.calls += 1
        self.requests.append(len(prompts))
        for completions in out:
            self.prompt_tokens += completions[0].prompt_tokens
            self.completion_tokens += sum(c.completion_tokens for c in completions)
        return out


@pytest.fixture(scope="module")
def engine(real_engine: object) -> object:
    return real_engine


@pytest.fixture(scope="module")
def problems() -> list[Problem]:
    return get_task("gsm8k").load(None, 2)


@dataclass
class CountingRewarder:
    """Forwards to a real reward model and sums what it reported."""

    model: object
    calls: int = 0
    prompt_tokens: int = 0
    flops: float = 0.0
    scored: list[int] = field(default_factory=list)
    """Solutions per score call."""

    @property
    def name(self) -> str:
        return str(self.model.name)  # type: ignore[attr-defined]

    @property
    def kind(self) -> str:
        return str(self.model.kind)  # type: ignore[attr-defined]

    def score(self, problems: list[str], steps: list[list[str]]) -> list[Reward]:
        out: list[Reward] = self.model.score(problems, steps)  # type: ignore[attr-defined]
        self.calls += 1
        self.scored.append(len(problems))
        self.prompt_tokens += sum(r.prompt_tokens for r in out)
        self.flops += sum(r.flops for r in out)
        return out


@pytest.fixture(scope="module")
def reward_models(engine: object) -> Iterator[dict[str, object]]:
    from harness.engines import create_reward_model
    from harness.schemas import load_reward_model_config

    models = {"outcome": create_reward_model(load_reward_model_config("smollm2_135m_judge")),
              "process": create_reward_model(load_reward_model_config("smollm2_135m_step_judge"))}
    yield models
    for m in models.values():
        m.close()  # type: ignore[attr-defined]


def run(
    engine: object, problems: list[Problem], name: str, temperature: float = 0.8, max_tokens: int = 96,
    rewarder: CountingRewarder | None = None, verifier: CountingEngine | None = None, **options: object,
) -> tuple[CountingEngine, dict[Cell, list[Trace]]]:
    task = get_task("gsm8k")
    strategy = get_strategy(name, **options)
    assert isinstance(strategy, SearchStrategy)
    models: dict[AuxModel, object] = {}
    infos: dict[AuxModel, ModelInfo] = {}
    for need in strategy.needs():  # what the replica would load through harness.engines.auxiliary
        if need.kind == "reward_model":
            models[need] = rewarder
        else:
            models[need], infos[need] = verifier, smollm2_info()
    counting = CountingEngine(engine)
    traces = strategy.run(SearchContext(counting, [task.messages(p) for p in problems],
                                        SamplingParams(temperature=temperature, max_tokens=max_tokens),
                                        lambda i, text: task.verify(problems[i], text).extracted,
                                        models, infos))
    assert set(traces) == set(strategy.cells())
    assert all(len(t) == len(problems) for t in traces.values())
    return counting, traces


def smollm2_info() -> ModelInfo:
    from harness.engines.embedded import resolve_model_path
    from harness.engines.model_info import load_model_info

    return load_model_info("smollm2_135m", resolve_model_path("embedded:smollm2-135m-instruct"))


def charged(traces: list[Trace]) -> tuple[int, int]:
    return (sum(t.prompt_tokens for t in traces), sum(t.completion_tokens for t in traces))


def engine_totals(counting: CountingEngine) -> tuple[int, int]:
    return (counting.prompt_tokens, counting.completion_tokens)


def test_budget_forcing_stays_in_budget_and_appends_waits(engine: object) -> None:
    # 6 problems: greedy decoding differs by engine dtype (bfloat16 where the CPU has AMX / AVX512-BF16,
    # else float32), and on 2 problems the bfloat16 model never stopped thinking early. Budget 240, not
    # 400: each thinking round lasts as long as its longest run; in bfloat16 here 3 of the 6 problems
    # stopped early within 224 thinking tokens (2 within 144), so the Wait path is still exercised
    problems = get_task("gsm8k").load(None, 6)
    counting, traces = run(engine, problems, "budget_forcing", temperature=0.0,
                           budgets=[48, 240], max_waits=2, answer_tokens=16)
    waited = 0
    for (_, budget), ts in traces.items():
        for t in ts:
            assert t.completion_tokens <= budget
            assert t.info["thinking_tokens"] <= budget - 16
            waits = int(t.info["waits"])
            assert 0 <= waits <= 2
            assert t.text.count("\nWait,") == waits
            # fewer Waits than asked only when the thinking budget ran out
            assert waits == 2 or t.info["thinking_tokens"] == budget - 16
            # the first thinking call, one more per Wait, and the forced answer
            assert len(t.calls) == waits + 2
            waited += waits
    # independent runs per budget: all cells together are everything the engine did
    assert charged([t for ts in traces.values() for t in ts]) == engine_totals(counting)
    assert waited > 0, "no run stopped early: the Wait path was not exercised"


def test_revision_rounds_are_prefixes(engine: object, problems: list[Problem]) -> None:
    counting, traces = run(engine, problems, "revision", budgets=[1, 2], final="majority", max_tokens=48)
    assert counting.calls == 2
    for one, two in zip(traces[("", 1)], traces[("", 2)], strict=True):
        assert len(one.calls) == 1 and len(two.calls) == 2
        assert two.calls[:1] == one.calls
    assert charged(traces[("", 2)]) == engine_totals(counting)


def test_reward_models_match_a_transformers_forward_pass(
    reward_models: dict[str, object], problems: list[Problem]
) -> None:
    """vLLM's pooled scores equal sigmoid(logit(Yes) - logit(No)) at the positions we meant, computed
    by transformers on the same token ids: checks prompt building, positions, label and activation."""
    import torch
    from transformers import AutoModelForCausalLM

    from harness.engines.embedded import resolve_model_path
    from harness.engines.vllm_engine import cpu_dtype

    # the engine runs bfloat16 where the CPU has native bf16 (AMX / AVX512-BF16), else float32; the
    # reference forward runs in the same dtype. In bfloat16 (8 mantissa bits) two implementations agree
    # to ~1e-2, not 1e-3; a wrong position, label or activation is off by far more.
    bf16 = cpu_dtype("bfloat16") == "bfloat16"
    hf = AutoModelForCausalLM.from_pretrained(resolve_model_path("embedded:smollm2-135m-instruct"),
                                              dtype=torch.bfloat16 if bf16 else torch.float32)
    tol = 3e-2 if bf16 else 1e-3
    orm, prm = reward_models["outcome"], reward_models["process"]
    tok = orm._tok  # type: ignore[attr-defined]
    yes, no = tok.convert_tokens_to_ids("Yes"), tok.convert_tokens_to_ids("No")
    texts = [p.question for p in problems]
    steps = [["Let me compute it step by step.", f"So the total is {p.reference}.",
              f"The answer is {p.reference}."] for p in problems]

    def judge(ids: list[int], positions: list[int]) -> list[float]:
        with torch.no_grad():
            logits = hf(torch.tensor([ids])).logits[0]
        return [float(torch.sigmoid((logits[q, yes] - logits[q, no]).float())) for q in positions]

    for text, s, reward in zip(texts, steps, orm.score(texts, steps), strict=True):  # type: ignore[attr-defined]
        ids = orm.outcome_ids(text, s)  # type: ignore[attr-defined]
        assert reward.prompt_tokens == len(ids) and reward.step_scores == ()
        assert reward.score == pytest.approx(judge(ids, [len(ids) - 1])[0], abs=tol)
        assert reward.flops > 2 * 100e6 * len(ids)  # ~2 x 135M params per token
    for text, s, reward in zip(texts, steps, prm.score(texts, steps), strict=True):  # type: ignore[attr-defined]
        ids, positions = prm.process_ids(text, s)  # type: ignore[attr-defined]
        assert len(positions) == len(s) and reward.prompt_tokens == len(ids)
        assert reward.step_scores == pytest.approx(judge(ids, positions), abs=tol)
        assert reward.score == reward.step_scores[-1]


def test_reward_ranking_charges_generator_and_reward_calls(
    engine: object, reward_models: dict[str, object], problems: list[Problem]
) -> None:
    rewarder = CountingRewarder(reward_models["outcome"])
    counting, traces = run(engine, problems, "reward_ranking", rewarder=rewarder, budgets=[1, 3],
                           reward_model="smollm2_135m_judge", max_tokens=64)
    assert counting.calls == 1 and rewarder.calls == 1 and rewarder.scored == [3 * len(problems)]
    for (variant, s), ts in traces.items():
        assert variant in ("best", "weighted")
        for t in ts:
            roles = [c.role for c in t.calls]
            [solve] = [c for c in t.calls if c.role == "generator"]  # the s solutions: one request, n = s
            assert solve.n == s and roles.count("reward") == s
            assert all(c.flops and c.completion_tokens == 0 for c in t.calls if c.role == "reward")
            assert 0.0 <= t.info["picked_score"] <= 1.0 and 0 <= t.info["picked"] < s
    best3 = traces[("best", 3)]
    assert charged(best3) == (counting.prompt_tokens + rewarder.prompt_tokens, counting.completion_tokens)
    assert sum(c.flops or 0.0 for t in best3 for c in t.calls) == pytest.approx(rewarder.flops)
    for one in traces[("best", 1)]:
        assert one.info["picked"] == 0.0


def test_beam_search_with_a_process_reward_model(
    engine: object, reward_models: dict[str, object], problems: list[Problem]
) -> None:
    rewarder = CountingRewarder(reward_models["process"])
    counting, traces = run(engine, problems, "beam_search", rewarder=rewarder, budgets=[2], expansions=2,
                           max_steps=2, step_tokens=24, scorer="reward",
                           reward_model="smollm2_135m_step_judge")
    # one batched generate and one batched reward call per step
    assert counting.calls == rewarder.calls == max(int(t.info["steps"]) for t in traces[("", 2)])
    for t in traces[("", 2)]:
        gen = [c for c in t.calls if c.role == "generator"]
        rewards = [c for c in t.calls if c.role == "reward"]
        assert len(rewards) == sum(c.n for c in gen)  # every candidate scored once
        assert 0.0 <= t.info["score"] <= 1.0  # a P(yes), not a log-prob
    assert sum(rewarder.scored) == sum(c.role == "reward" for t in traces[("", 2)] for c in t.calls)
    assert charged(traces[("", 2)]) == (counting.prompt_tokens + rewarder.prompt_tokens,
                                        counting.completion_tokens)


def test_verification_by_a_separate_verifier_model(engine: object, problems: list[Problem]) -> None:
    """Every cell of the S x V grid; verifier calls go to the verifier's engine (here a second handle on
    the same checkpoint, counted apart) and carry that model's FLOPs; the generator's engine sees only
    the solutions."""
    from core.flops import decode_flops, prefill_flops

    verifier = CountingEngine(engine)
    counting, traces = run(engine, problems, "verification", verifier=verifier, budgets=[1, 2],
                           verifications=[1, 2], critique_tokens=16, max_tokens=64,
                           verifier_model="smollm2_135m")
    assert counting.calls == 1 and verifier.calls == 2  # solutions | critiques, verdicts
    for (variant, s), ts in traces.items():
        v = int(variant.removeprefix("V="))
        for t in ts:
            roles = [c.role for c in t.calls]
            [solve] = [c for c in t.calls if c.role == "generator"]  # the s solutions: one request, n = s
            assert solve.n == s and roles.count("verifier") == 2 * s * v
            verdicts = [c for c in t.calls if c.role == "verifier" and c.completion_tokens <= 1]
            assert len(verdicts) >= s * v
            assert 0.0 <= t.info["picked_score"] <= 1.0
    calls = [c for t in traces[("V=2", 2)] for c in t.calls]  # the largest cell: everything that ran
    gen = [c for c in calls if c.role == "generator"]
    ver = [c for c in calls if c.role == "verifier"]
    assert all(c.flops is None for c in gen) and all(c.flops for c in ver)
    for mine, counted in ((gen, counting), (ver, verifier)):
        totals = (sum(c.prompt_tokens for c in mine), sum(c.completion_tokens for c in mine))
        assert totals == engine_totals(counted)
    info = smollm2_info()
    for c in ver:  # n = 1 per verifier call: one prefill (less what the verifier computed before) + decode
        decode = decode_flops(info, c.prompt_tokens, c.completion_tokens)
        assert c.flops == pytest.approx(prefill_flops(info, c.prompt_tokens, c.cached_tokens) + decode)
        assert c.flops_no_cache == pytest.approx(prefill_flops(info, c.prompt_tokens) + decode)
    assert any(c.cached_tokens > 0 for c in ver)  # each verdict extends its critique's prompt

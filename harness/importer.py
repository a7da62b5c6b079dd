"""`python -m harness import FILE --task T --model NAME`: bring generations made elsewhere into the
harness.

Input: JSONL, one completion per line:

    {"problem_id": "gsm8k/test/0", "completion": "...", "completion_tokens": 212, "prompt_tokens": 98,
     "index": 0, "mean_logprob": -0.41, "latency_s": 0.8, "finish_reason": "stop"}

`problem_id`, `completion`, `completion_tokens` and `prompt_tokens` are required (tokens are the
compute axis and are never guessed); `index` defaults to the line's order among its problem's lines,
`latency_s` to 0 and `finish_reason` to "stop". A line without `mean_logprob` has NO score (never a
0.0, which would rank first): strategies that rank by log-probs (best_of_n, weighted_majority by
mean_logprob or sum_logprob) are then refused, naming the field and the line. `--strategies` picks
the selection strategies reported (names of `configs/strategy`, e.g. `majority weighted_majority`);
the default is majority, pass_at_k, and best_of_n when every line has a log-prob. Every line is
validated before anything is written, and an unknown problem id is an error. Completions are re-
verified with the task's own verifier, stored as one pool (append-only: re-importing the same file
adds nothing), and a run folder with the full report is written, so `report` and `check` work on
them (`claims` runs its own sweeps and cannot use them). FLOPs need the model's architecture:
`--model` names a `configs/model` entry (its checkpoint's config is read), or `--model-config
config.json` gives a Hugging Face config (FLOPs by the full convention: LM head and attention), or
`--params N` gives the non-embedding parameter count alone (then FLOPs are linear-only: 2N per
token, without the LM head and the attention term).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.accounting import RULES
from core.records import Completion, ModelInfo, Sample, SamplingParams
from harness.config import CONFIG_DIR, ModelConfig, StrategyConfig, load_group_item, load_strategy_config
from harness.engines.model_info import cached_model_info, model_info_from_config
from harness.judge import json_objects
from harness.run.plan import PoolSpec
from harness.run.score import score_pool
from tasks import Task, get_task

REQUIRED = {"problem_id": str, "completion": str, "completion_tokens": int, "prompt_tokens": int}


class ImportInputError(ValueError):
    """A malformed input line (the message names the line number)."""


@dataclass(frozen=True)
class ImportResult:
    run_dir: Path
    imported: int
    """New samples written to the store (0 on a re-import)."""
    pool_size: int
    """Samples per problem the report uses (the smallest count over problems)."""


def read_generations(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, row in json_objects(path, ImportInputError):
        for key, kind in REQUIRED.items():
            value = row.get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ImportInputError(
                    f"{path}:{number}: field {key!r} must be {kind.__name__}, got {value!r}")
        row["_line"] = number
        rows.append(row)
    if not rows:
        raise ImportInputError(f"{path}: no generations")
    return rows


def logprob(row: dict[str, Any]) -> float | None:
    value = row.get("mean_logprob")
    return None if value is None else float(value)


DEFAULT_STRATEGIES = ("majority", "pass_at_k", "best_of_n")


def import_strategies(
    labels: tuple[str, ...] | None, rows: list[dict[str, Any]], task: Task, path: Path
) -> list[StrategyConfig]:
    """The selection strategies to report, from `configs/strategy`; checked before anything is
    written: voting needs the task's vote keys, log-prob scorers need every line's `mean_logprob`."""
    from harness.config import check_strategies_fit
    from strategies import get_strategy, is_selection
    from strategies.scorers import NEEDS_LOGPROB

    unscored = next((r for r in rows if logprob(r) is None and r["completion_tokens"] > 0), None)
    if labels is None:  # the default: best_of_n only when there are log-probs to rank by
        labels = tuple(s for s in DEFAULT_STRATEGIES if s != "best_of_n" or unscored is None)
    configs: list[StrategyConfig] = []
    instances = []
    for label in labels:
        config = load_strategy_config(label)
        config.label = label
        instance = get_strategy(config.name, label, **config.options)
        if not is_selection(instance):
            raise ValueError(f"--strategies: {label} is not a selection strategy (it must choose among "
                             f"the imported samples)")
        score = getattr(instance, "score_name", None)
        if score in NEEDS_LOGPROB and unscored is not None:
            raise ImportInputError(
                f"{path}:{unscored['_line']}: strategy {label} ranks by {score}, but the line "
                f"has no 'mean_logprob'; add it to every line, or drop {label}")
        configs.append(config)
        instances.append(instance)
    check_strategies_fit(instances, task)
    return configs


def model_info(
    name: str, params: int | None, store_root: Path, model_config: Path | None = None
) -> ModelInfo:
    if model_config is not None:
        try:
            return model_info_from_config(name, "imported", json.loads(model_config.read_text()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ImportInputError(f"--model-config {model_config}: not a readable Hugging Face config.json "
                                   f"({type(exc).__name__}: {exc})") from exc
    if (CONFIG_DIR / "model" / f"{name}.yaml").exists():
        model: ModelConfig = load_group_item("model", name, ModelConfig, "model")
        return cached_model_info(store_root, name, model.path, model.revision)
    if params is None:
        raise ValueError(
            f"model {name!r} has no configs/model entry: pass --model-config config.json (its Hugging Face "
            f"config) or --params N (non-embedding parameters; linear-only FLOPs)")
    return ModelInfo(name=name, path="imported", n_params=params, n_params_nonembedding=params,
                     n_layers=0, d_model=0, n_heads=0, n_kv_heads=0, d_attn=0, context_length=0,
                     vocab_size=0, dtype="unknown")


def import_generations(
    path: Path, task_name: str, model: str, results_dir: Path, kind: str = "sampled",
    params: int | None = None, temperature: float | None = None, data_dir: str | None = None,
    name: str | None = None,
    strategies: tuple[str, ...] | None = None,
    model_config: Path | None = None,
) -> ImportResult:
    from harness.sweep import publish_run

    if kind not in ("sampled", "greedy"):
        raise ValueError(f"kind must be sampled or greedy, got {kind!r}")
    task = get_task(task_name)
    rows = read_generations(path)
    known = {p.id: p for p in task.load(data_dir, None)}
    for row in rows:
        if row["problem_id"] not in known:
            raise ImportInputError(
                f"{path}:{row['_line']}: unknown {task.name} problem id {row['problem_id']!r}")
    chosen = [] if kind == "greedy" else import_strategies(strategies, rows, task, path)
    store_root = results_dir / "store"
    info = model_info(model, params, store_root, model_config)
    by_problem: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_problem.setdefault(row["problem_id"], []).append(row)
    n = min(len(v) for v in by_problem.values())
    temp = temperature if temperature is not None else (0.0 if kind == "greedy" else 1.0)
    config = ModelConfig(name=model, path=info.path)
    spec = PoolSpec(kind, config, task.name, "imported", SamplingParams(temperature=temp, max_tokens=0, n=n))
    store = spec.store(store_root)
    store.write_spec(dict(spec.identity(), kind=kind, source=str(path)))
    samples = []
    for pid, items in by_problem.items():
        for order, row in enumerate(items):
            lp = logprob(row)
            output = Completion(
                text=row["completion"], finish_reason=str(row.get("finish_reason", "stop")),
                prompt_tokens=row["prompt_tokens"], completion_tokens=row["completion_tokens"],
                mean_logprob=lp, sum_logprob=None if lp is None else lp * row["completion_tokens"],
                latency_s=float(row.get("latency_s", 0.0)))
            samples.append(Sample(problem_id=pid, model=model, pool=spec.hash,
                                  index=int(row.get("index", order)), output=output,
                                  engine=f"imported:{path.name}"))
    have = store.read()
    imported = store.append([s for s in samples if (s.problem_id, s.index) not in have])
    problems = [known[pid] for pid in sorted(by_problem)]
    scored = score_pool(spec, task, problems, store_root)
    listed = ([{"label": "greedy", "name": "greedy", "options": {}}] if kind == "greedy" else
              [{"label": c.label, "name": c.name, "options": dict(c.options)} for c in chosen])
    meta = {
        "name": name or f"import_{model}_{task.name}", "task": task.name, "prompt_version": "imported",
        "verifier_version": task.verifier_version,
        "budgets": [1 << i for i in range(n.bit_length()) if 1 << i <= n],
        "strategies": listed,
        "prices": {}, "bootstrap": {"resamples": 1000, "seed": 0}, "limit": None,
        "prefill_accounting": RULES[0],
    }
    config_yaml = f"# imported from {path}\nmodel: {model}\ntask: {task.name}\nkind: {kind}\n"
    run_dir = publish_run(results_dir, str(meta["name"]), config_yaml, meta, {model: info}, task, problems,
                          scored, "disabled", "ttc-harness")
    print(f"imported {imported} new samples ({len(rows)} lines, {len(by_problem)} problems, "
          f"{n} per problem used); results in {run_dir}")
    return ImportResult(run_dir, imported, n)

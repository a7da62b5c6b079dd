"""vLLM reward models: outcome (ORM) and process (PRM) scorers on vLLM's pooling runner.

A `VLLMRewardModel` loads one checkpoint with `runner="pooling"` and scores (problem, steps):

- `outcome`: the chat [user: problem, assistant: steps joined by blank lines] (+ the config's `query`
  as a user turn, then the generation prompt) is classified (`LLM.classify`); the score is column
  `label` of the model's output after its activation.
- `process`: the chat prompt, then every step followed by `step_tag`, is encoded token by token
  (`pooling_task="token_classify"`); step j's score is column `label` at the last token of its tag.
  Pieces are tokenized separately and concatenated, so a tag never merges with the step before it.

Prompts are built as token ids. When one is longer than the model's context, the solution is cut:
an outcome solution loses its tail (the chat's closing turn and query are kept); a process solution
keeps the steps that fit and later steps repeat the last score. Every Reward carries its prompt
tokens and the FLOPs of that prefill from the reward model's own architecture. `score` may be
called from several threads (a replica runs two shards at once); calls take turns.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any

from core.engine import Reward
from core.flops import prefill_flops
from harness.engines.cpu_binding import bound_threads
from harness.engines.hardware import has_cuda
from harness.engines.vllm_engine import cpu_dtype
from harness.schemas import RewardModelConfig

SENTINEL = "\x00SOLUTION\x00"


class VLLMRewardModel:
    def __init__(self, config: RewardModelConfig, model_path: str, cpu_threads: float | None = None,
                 cpu_slot: int = 0) -> None:
        """`cpu_threads`, `cpu_slot`: the cores of the replica on CPU, as for the generator's engine."""
        from harness.engines.model_info import load_model_info

        if config.kind not in ("outcome", "process"):
            raise ValueError(f"reward model {config.name}: kind must be outcome or process, "
                             f"got {config.kind!r}")
        self.config = config
        self.info = load_model_info(config.name, model_path, config.revision)
        gpu = has_cuda()
        saved = os.environ.get("VLLM_CPU_KVCACHE_SPACE")
        if not gpu:  # the reward model's own (small) KV cache; the generator's setting is restored
            os.environ["VLLM_CPU_KVCACHE_SPACE"] = str(config.cpu_kv_cache_gib)
        import vllm

        task = "classify" if config.kind == "outcome" else "token_classify"
        pooler: dict[str, Any] = {"task": task}
        if config.kind == "process":
            pooler["tok_pooling_type"] = "ALL"
        kwargs: dict[str, Any] = {
            "model": model_path,
            "runner": "pooling",
            "dtype": config.dtype if gpu else cpu_dtype(config.dtype),
            "max_model_len": config.max_model_len,
            "revision": config.revision,
            "trust_remote_code": config.trust_remote_code,
            "hf_overrides": dict(config.hf_overrides),
            "pooler_config": pooler,
            "compilation_config": {"mode": 0},
        }
        if gpu:
            kwargs["gpu_memory_utilization"] = config.gpu_memory_utilization
        try:
            with bound_threads(cpu_threads, cpu_slot) if not gpu else contextlib.nullcontext():
                self._llm = vllm.LLM(**kwargs)
        finally:
            if not gpu:
                if saved is None:
                    os.environ.pop("VLLM_CPU_KVCACHE_SPACE", None)
                else:
                    os.environ["VLLM_CPU_KVCACHE_SPACE"] = saved
        self._vllm = vllm
        self._tok = self._llm.get_tokenizer()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def kind(self) -> str:
        return self.config.kind

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._llm.llm_engine.engine_core.shutdown()

    def _ids(self, text: str) -> list[int]:
        return list(self._tok(text, add_special_tokens=False)["input_ids"])

    def _chat(self, messages: list[dict[str, str]], generation_prompt: bool) -> str:
        chat: list[Any] = list(messages)
        text = self._tok.apply_chat_template(chat, tokenize=False,
                                             add_generation_prompt=generation_prompt)
        assert isinstance(text, str)
        return text

    def outcome_ids(self, problem: str, steps: list[str]) -> list[int]:
        """[chat up to the solution] + solution (tail cut to fit) + [end of turn, query, prompt]."""
        messages = [{"role": "user", "content": problem}, {"role": "assistant", "content": SENTINEL}]
        if self.config.query:
            messages.append({"role": "user", "content": self.config.query})
        head, tail = self._chat(messages, generation_prompt=bool(self.config.query)).split(SENTINEL)
        head_ids, tail_ids = self._ids(head), self._ids(tail)
        room = self.config.max_model_len - len(head_ids) - len(tail_ids) - 1
        return head_ids + self._ids("\n\n".join(steps))[: max(room, 0)] + tail_ids

    def process_ids(self, problem: str, steps: list[str]) -> tuple[list[int], list[int]]:
        """Token ids and, per step that fits, the position of its tag's last token."""
        ids = self._ids(self._chat([{"role": "user", "content": problem}], generation_prompt=True))
        tag = self._ids(self.config.step_tag)
        positions: list[int] = []
        for step in steps:
            piece = self._ids(step) + tag
            if len(ids) + len(piece) > self.config.max_model_len - 1:
                break
            ids += piece
            positions.append(len(ids) - 1)
        return ids, positions

    def score(self, problems: list[str], steps: list[list[str]]) -> list[Reward]:
        if not problems:
            return []
        from vllm.inputs import TokensPrompt

        if self.kind == "outcome":
            prompts = [self.outcome_ids(p, s) for p, s in zip(problems, steps, strict=True)]
            positions: list[list[int]] = [[] for _ in prompts]
        else:
            built = [self.process_ids(p, s) for p, s in zip(problems, steps, strict=True)]
            prompts, positions = [b[0] for b in built], [b[1] for b in built]
        token_prompts: list[Any] = [TokensPrompt(prompt_token_ids=ids) for ids in prompts]
        with self._lock:
            start = time.perf_counter()
            if self.kind == "outcome":
                outs = self._llm.classify(token_prompts, use_tqdm=False)
                rows = [[float(o.outputs.probs[self.config.label])] for o in outs]
            else:
                encoded = self._llm.encode(token_prompts, pooling_task="token_classify", use_tqdm=False)
                rows = [self._step_rows(o.outputs.data, pos, len(ids))
                        for o, pos, ids in zip(encoded, positions, prompts, strict=True)]
            elapsed = time.perf_counter() - start
        total = sum(len(ids) for ids in prompts) or 1
        rewards = []
        for ids, row, s in zip(prompts, rows, steps, strict=True):
            step_scores: tuple[float, ...] = ()
            if self.kind == "process":
                padded = row + [row[-1] if row else 0.0] * (len(s) - len(row))
                step_scores = tuple(padded)
            rewards.append(Reward(
                score=(step_scores[-1] if step_scores else 0.0) if self.kind == "process" else row[0],
                step_scores=step_scores,
                prompt_tokens=len(ids),
                flops=prefill_flops(self.info, len(ids)),
                latency_s=elapsed * len(ids) / total,
            ))
        return rewards

    def _step_rows(self, data: Any, positions: list[int], n_tokens: int) -> list[float]:
        """Scores at the tag positions: from every token's row (ALL pooling) or, for models whose
        pooler keeps only their step-tag rows, those rows in order."""
        if data.shape[0] == n_tokens:
            return [float(data[p][self.config.label]) for p in positions]
        if data.shape[0] == len(positions):
            return [float(r[self.config.label]) for r in data]
        raise RuntimeError(f"reward model {self.name}: {data.shape[0]} pooled rows for {n_tokens} tokens "
                           f"and {len(positions)} steps")

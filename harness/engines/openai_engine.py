"""OpenAI-compatible completions backend: any server speaking `/v1/completions` (vLLM's `serve`, ...).

Prompts are rendered locally with the model's own chat template (its tokenizer from `model_path`)
or, when no local tokenizer loads, by the server's `/tokenize` + `/detokenize` (vLLM servers).
Each prompt is one `completions` request with `n` choices, sent concurrently (up to
`max_concurrency` in flight); the client retries transient errors. Tokens come from the server:
`usage.prompt_tokens` per request and the length of each choice's log-prob list. Servers without
`n` get one request per completion (`supports_n: false`). The openai client retries 429, 5xx and
connection errors with exponential backoff (`max_retries=3`). No per-request
seed is sent (vLLM's CPU sampler cannot take one): seed the server instead. The API key is read
from the environment variable named by `api_key_env` and never logged or stored.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from core.engine import Message
from core.records import Completion, SamplingParams


class OpenAIEngine:
    def __init__(
        self,
        model_path: str,
        *,
        base_url: str,
        served_model: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        max_concurrency: int = 32,
        supports_n: bool = True,
        timeout_s: float = 600.0,
        **_: Any,
    ) -> None:
        import openai

        self.base_url = base_url.rstrip("/")
        self.model = served_model or model_path
        self._client = openai.OpenAI(base_url=self.base_url, api_key=os.environ.get(api_key_env) or "none",
                                     timeout=timeout_s, max_retries=3)
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency)
        self.supports_n = supports_n
        self._tokenizer = _local_tokenizer(model_path)
        self._name = f"openai-api:{self.base_url}"

    @property
    def name(self) -> str:
        return self._name

    def render(self, messages: list[Message]) -> str:
        if self._tokenizer is not None:
            chat = list(messages)
            return str(self._tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True))
        import httpx

        root = self.base_url.removesuffix("/v1")
        request = {"model": self.model, "messages": messages, "add_generation_prompt": True}
        tokens = httpx.post(f"{root}/tokenize", json=request, timeout=60).json()["tokens"]
        return str(httpx.post(f"{root}/detokenize", json={"model": self.model, "tokens": tokens},
                              timeout=60).json()["prompt"])

    def _one(self, prompt: str, p: SamplingParams) -> list[Completion]:
        if p.n > 1 and not self.supports_n:  # one request per completion
            return [c for _ in range(p.n) for c in self._one(prompt, replace(p, n=1))]
        start = time.perf_counter()
        response = self._client.completions.create(
            model=self.model, prompt=prompt, n=p.n, temperature=p.temperature,
            top_p=p.top_p if p.temperature > 0 else 1.0, max_tokens=p.max_tokens,
            stop=list(p.stop) or None, logprobs=max(1, p.top_logprobs),
        )
        elapsed = time.perf_counter() - start
        prompt_tokens = int(response.usage.prompt_tokens) if response.usage else 0
        choices = sorted(response.choices, key=lambda c: c.index)
        counts = [len(c.logprobs.token_logprobs) if c.logprobs and c.logprobs.token_logprobs else 0
                  for c in choices]
        total = sum(counts) or 1
        out = []
        for c, n_tok in zip(choices, counts, strict=True):
            lps = [float(x) for x in (c.logprobs.token_logprobs or [])] if c.logprobs else []
            tops = (c.logprobs.top_logprobs or []) if c.logprobs else []
            first: dict[str, float] = tops[0] if tops else {}
            stop_reason = (c.model_extra or {}).get("stop_reason")
            out.append(Completion(
                text=c.text, finish_reason=str(c.finish_reason or "unknown"), prompt_tokens=prompt_tokens,
                completion_tokens=n_tok, mean_logprob=sum(lps) / n_tok if n_tok else 0.0,
                sum_logprob=sum(lps),
                latency_s=elapsed * n_tok / total,
                stop_reason=stop_reason if isinstance(stop_reason, str) else None,
                top_logprobs=tuple(sorted(((str(k), float(v)) for k, v in first.items()),
                                          key=lambda x: -x[1])) if p.top_logprobs else (),
            ))
        return out

    def generate(self, prompts: list[str], params: list[SamplingParams]) -> list[list[Completion]]:
        return list(self._pool.map(self._one, prompts, params))


def _local_tokenizer(model_path: str) -> Any:
    """The model's tokenizer when it loads without the network, else None (render on the server)."""
    try:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(model_path, local_files_only=True)
    except Exception:
        return None

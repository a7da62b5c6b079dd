"""The one prefill rule every arm of a comparison is charged by (config `prefill_accounting`).

`prefix_cache` (default): per problem and model, every distinct token position is computed once,
as an ideal prefix cache would. A prompt position that an earlier call of the same run already
computed (as prompt, or as a completion it generated) is free; generated tokens are always charged
(decoding cannot be cached). `no_cache`: every engine call pays its whole prompt. Under both rules
the n completions of ONE request share its prompt (vLLM's `n`), so a pool's k samples pay the
prompt once per problem either way; the rules differ for search strategies, whose calls extend one
another's prompts, and for the probe of compute_optimal.

Which prompt positions are already computed is found by a trie over the TEXT a run processed
(rendered prompts, and prompts followed by each completion), since token ids are not stored:
a prompt that extends an earlier string entirely is credited that string's exact token count;
a partial match is credited the prompt's tokens in proportion to the matched characters.
"""

from __future__ import annotations

RULES = ("prefix_cache", "no_cache")
LEGACY = {"per_budget": "prefix_cache", "pool_split": "prefix_cache"}
"""Names older run folders recorded; read as the default rule."""

DESCRIPTIONS = {
    "prefix_cache": "per problem and model, every distinct token position is computed once (an ideal prefix "
                    "cache): a prompt pays only the positions no earlier call of the same run computed; a "
                    "request's n completions share its prompt; generated tokens are always charged.",
    "no_cache": "every engine call pays its whole prompt (a request's n completions share it); generated "
                "tokens are always charged.",
}


def check_rule(name: str) -> str:
    """`name` if it is a rule, else a ValueError listing the valid ones."""
    if name not in RULES:
        raise ValueError(f"prefill_accounting must be one of {', '.join(RULES)}, got {name!r}")
    return name


def rule_of(meta: dict[str, object]) -> str:
    """The rule a run folder's meta names (older names read as the default)."""
    name = str(meta.get("prefill_accounting", RULES[0]))
    return check_rule(LEGACY.get(name, name))


def shared_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix of two strings (binary search over C-speed slices)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


class PrefixTrie:
    """The strings one (problem, model) run has computed, and how much of a new prompt they cover."""

    def __init__(self) -> None:
        self._seen: list[tuple[str, int]] = []
        """(text, its token count) for every processed prompt and prompt + completion."""

    def cached(self, prompt: str, prompt_tokens: int) -> int:
        """Prompt tokens already computed: the longest shared prefix with any processed string."""
        if not prompt:
            return 0
        best = 0.0
        for text, tokens in self._seen:
            shared = shared_prefix(prompt, text)
            if shared == len(text):
                best = max(best, float(tokens))  # the prompt extends this string: its exact tokens
            elif shared:
                best = max(best, prompt_tokens * shared / len(prompt))
        return min(prompt_tokens, int(best))

    def add(self, text: str, tokens: int) -> None:
        if text:
            self._seen.append((text, tokens))

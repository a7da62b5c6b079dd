"""Two concurrent `generate` calls on the real engine share one running batch (the session's engine):
the second call's sequences join while the first call's are still decoding."""

from __future__ import annotations

import threading
import time

import pytest

from core.records import SamplingParams

pytestmark = pytest.mark.slow


def test_concurrent_calls_decode_in_one_batch(real_engine: object, monkeypatch: pytest.MonkeyPatch) -> None:
    llm_engine = real_engine._llm.llm_engine  # type: ignore[attr-defined]
    live: list[int] = []
    step = llm_engine.step

    def counted() -> list[object]:
        live.append(llm_engine.get_num_unfinished_requests())  # sequences in the engine at this step
        return step()  # type: ignore[no-any-return]

    monkeypatch.setattr(llm_engine, "step", counted)
    ask = [{"role": "user", "content": "Count from 1 to 300, one number per line."}]
    prompt = real_engine.render(ask)  # type: ignore[attr-defined]
    params = [SamplingParams(temperature=0.8, max_tokens=48, n=4)]  # the second call joins at step 5
    results: dict[str, list[object]] = {}

    def call(name: str) -> None:
        results[name] = real_engine.generate([prompt], params)  # type: ignore[attr-defined]

    first = threading.Thread(target=call, args=("first",))
    first.start()
    while len(live) < 5:
        time.sleep(0.01)
    second = threading.Thread(target=call, args=("second",))
    second.start()
    first.join()
    second.join()
    assert [len(r[0]) for r in results.values()] == [4, 4]  # type: ignore[arg-type]
    assert max(live) == 8, f"the second call's 4 sequences never joined the first's: {live}"

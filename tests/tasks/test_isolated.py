"""TimeLimitedPool: results in order, timeouts and crashes isolated, workers replaced."""

from __future__ import annotations

import os
import time

from tasks.isolated import TimeLimitedPool


def work(x: int) -> int:
    if x == -1:
        time.sleep(60)
    if x == -2:
        raise ValueError("bad item")
    if x == -3:
        os._exit(3)
    return x * x


def test_order_timeouts_errors_and_recovery() -> None:
    with TimeLimitedPool(work, workers=2) as pool:
        start = time.monotonic()
        outcomes = pool.map([1, -1, 2, -2, 3, -3, 4], timeout_s=2.0)
        assert time.monotonic() - start < 20
        assert [o.status for o in outcomes] == ["ok", "timeout", "ok", "error", "ok", "error", "ok"]
        assert [o.value for o in outcomes if o.status == "ok"] == [1, 4, 9, 16]
        assert "bad item" in outcomes[3].message
        # the pool still works after killing and replacing workers
        assert [o.value for o in pool.map([5, 6], timeout_s=2.0)] == [25, 36]

"""What a person watching a sweep reads: a plan line before anything loads, then one progress line per
model that changes at least every `INTERVAL_S` seconds, with engine and Ray logs kept in `engine.log`.

Inside each replica a reporter thread reads the engine's own counters (`counters()`: samples finished
and tokens generated since the engine loaded) and puts them on a Ray queue; the driver adds them to
what finished shards wrote, so the line moves while a shard is still generating. Engines without
counters (a served model, scripted test engines) move the line when a shard finishes. Throughput
measured by a run is kept beside the model's pools (`throughput.json`) and estimates the next plan's time.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

INTERVAL_S = 5.0
"""The progress line changes at least this often."""
REPORT_S = 1.0
"""How often a replica reads its engine's counters."""
LOG_ENV = "TTC_ENGINE_LOG"
"""Environment variable naming the file a replica writes its (and its engine's) output to."""


# ---- the plan line ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Throughput:
    """What a model's last generation run measured (`<store>/<model>/throughput.json`)."""

    samples: int
    tokens: int
    generate_s: float
    load_s: float

    @property
    def tokens_per_sample(self) -> float:
        return self.tokens / max(self.samples, 1)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / max(self.generate_s, 1e-9)


def throughput_path(store_root: Path, model: str) -> Path:
    return store_root / model / "throughput.json"


def read_throughput(store_root: Path, model: str) -> Throughput | None:
    path = throughput_path(store_root, model)
    try:
        return Throughput(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def write_throughput(store_root: Path, model: str, measured: Throughput) -> None:
    if measured.samples < 1 or measured.generate_s <= 0:
        return
    path = throughput_path(store_root, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(measured), indent=2))


def duration(seconds: float) -> str:
    """`42s`, `6m05s`, `2h10m`."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def estimate(missing: dict[str, int], history: dict[str, Throughput | None]) -> str:
    """The time to generate `missing` samples per model, from each model's last measured throughput."""
    if not any(missing.values()):
        return "nothing to generate"
    unknown = [m for m, n in missing.items() if n and history.get(m) is None]
    if unknown:
        return (f"time unknown: first run of {', '.join(unknown)} (the progress line shows an ETA once "
                f"tokens flow)")
    total = 0.0
    for model, n in missing.items():
        h = history[model]
        if n and h is not None:
            total += h.load_s + n * h.tokens_per_sample / h.tokens_per_s
    return f"about {duration(total)} (from the last run's tokens/s)"


def plan_line(n_problems: int, n_pools: int, planned: int, missing: int, time_estimate: str) -> str:
    return (f"plan: {n_problems} problems, {n_pools} pools, {planned} samples: {missing} to generate, "
            f"{planned - missing} already stored; {time_estimate}")


# ---- inside a replica ------------------------------------------------------------------------------

def redirect_output() -> None:
    """Send this process's stdout and stderr (and its children's: vLLM's engine process) to the file
    `TTC_ENGINE_LOG` names, when it is set and its folder exists on this machine."""
    target = os.environ.get(LOG_ENV)
    if not target or not Path(target).parent.is_dir():
        return
    sys.stdout.flush()
    sys.stderr.flush()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


@contextlib.contextmanager
def output_to(path: Path | None) -> Iterator[None]:
    """Within the block, this process's stdout and stderr (and those of processes it starts, such as
    Ray's) go to `path`; None leaves them alone."""
    if path is None:
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (fd, *saved):
            os.close(f)


def start_reporter(counters: Callable[[], tuple[int, int]], queue: Any, key: str) -> threading.Thread:
    """A daemon thread that puts (key, samples, tokens) on `queue` whenever the counters change."""

    def loop() -> None:
        last: tuple[int, int] | None = None
        while True:
            try:
                now = counters()
                if now != last:
                    queue.put_nowait((key, *now))
                    last = now
            except Exception:  # the driver's queue is gone (sweep over) or the engine is closing
                return
            time.sleep(REPORT_S)

    thread = threading.Thread(target=loop, name="ttc-progress", daemon=True)
    thread.start()
    return thread


# ---- in the driver ---------------------------------------------------------------------------------

class ModelProgress:
    """One model's progress line: samples and tokens done, tokens/s, and the ETA over all its pools."""

    def __init__(self, model: str, total: int, max_tokens: int, history: Throughput | None,
                 out: IO[str] | None = None, quiet: bool = False, live_samples: bool = True) -> None:
        self.model = model
        self.total = total
        self.max_tokens = max_tokens
        self.history = history
        self.out = out if out is not None else sys.stdout
        self.quiet = quiet
        self.live_samples = live_samples
        """Engine requests finished are samples (False for search pools: a trace makes many)."""
        self.start = time.perf_counter()
        self.written = 0
        """Samples of finished shards, written to the store."""
        self.written_tokens = 0
        self.live: dict[str, tuple[int, int]] = {}
        """Per replica: (samples, tokens) its engine reported since it loaded."""
        self.last_print = 0.0
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())

    def shard_done(self, samples: int, tokens: int) -> None:
        self.written += samples
        self.written_tokens += tokens
        self.show(force=True)

    def replica_report(self, key: str, samples: int, tokens: int) -> None:
        self.live[key] = (samples, tokens)

    def done(self) -> tuple[int, int]:
        """(samples, tokens) done: the larger of what shards wrote and what replicas reported."""
        live_samples = sum(s for s, _ in self.live.values()) if self.live_samples else 0
        live_tokens = sum(t for _, t in self.live.values())
        return min(self.total, max(self.written, live_samples)), max(self.written_tokens, live_tokens)

    def line(self) -> str:
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        samples, tokens = self.done()
        rate = tokens / elapsed
        text = f"{self.model}: {samples}/{self.total} samples, {tokens:,} tokens, {rate:.1f} tok/s"
        if samples >= self.total:
            return text + f", done in {duration(elapsed)}"
        if self.written:  # tokens per sample as measured on this run's finished samples
            per_sample, bound = self.written_tokens / self.written, ""
        elif self.history is not None:
            per_sample, bound = self.history.tokens_per_sample, ""
        else:
            per_sample, bound = float(self.max_tokens), "at most "
        if tokens <= 0:
            return text + f", {duration(elapsed)} elapsed (engine warming up)"
        left = max(self.total * per_sample - tokens, 0.0)
        return text + f", ETA {bound}{duration(left / rate)}"

    def show(self, force: bool = False) -> None:
        now = time.perf_counter()
        if self.quiet or (not force and now - self.last_print < INTERVAL_S):
            return
        self.last_print = now
        if self.tty:
            self.out.write("\r\x1b[2K" + self.line())
        else:
            self.out.write(self.line() + "\n")
        self.out.flush()

    def close(self) -> None:
        if not self.quiet:
            if self.done()[0] < self.total:  # ended early (failure or Ctrl-C): say where it stopped
                self.show(force=True)
            if self.tty:
                self.out.write("\n")
                self.out.flush()


def drain(queue: Any, progress: ModelProgress) -> None:
    """Move every replica report waiting on `queue` into `progress`, then redraw it if due."""
    if queue is not None:
        try:
            while not queue.empty():
                progress.replica_report(*queue.get_nowait())
        except Exception:  # an empty race or a queue actor gone: nothing new this time
            pass
    progress.show()


def log_tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of an engine log, for the terminal after a failure."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])

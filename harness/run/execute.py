"""Run shards on Ray actors, one engine per actor (a model replica), and stream results to the store.

The driver keeps every replica busy by handing the next shard to whichever finishes first, writes
each finished shard to its pool's store at once (so a kill loses at most the shards in flight),
and shows one progress line per model (`harness.run.progress`: samples and tokens done, tokens/s, ETA,
fed by each replica's engine counters while a shard runs). Replicas load their model once; with a
`log_path` their output and their engine's goes to that file instead of the terminal. Each replica
holds two shards and runs them at once (a threaded actor): both feed one engine, so the next
shard's requests join the batch while the current one drains (`harness.engines.shared_batch`). On
CPU, replica i's engine threads are bound to its own `num_cpus_per_replica` cores
(`harness.engines.cpu_binding`). Replicas with tensor_parallel_size > 1 GPUs run in their own
placement group (`harness.run.placement`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.auxiliary import AuxModel, SearchContext
from core.records import Completion, ModelInfo, Sample
from harness.config import ClusterConfig, EngineConfig, ModelConfig
from harness.engines import create_engine, model_kwargs
from harness.engines.auxiliary import AUX_KINDS, Host
from harness.run.placement import Placement, replicas_that_fit, uses_placement_group
from harness.run.plan import Shard, WorkItem
from harness.run.progress import (
    INTERVAL_S,
    LOG_ENV,
    REPORT_S,
    ModelProgress,
    Throughput,
    drain,
    output_to,
    redirect_output,
    start_reporter,
)


class Replica:
    """One model replica: owns one engine, turns shards into samples (runs inside a Ray actor)."""

    def __init__(
        self,
        engine_name: str,
        engine_kwargs: dict[str, Any],
        model_name: str,
        aux_models: tuple[AuxModel, ...] = (),
    ) -> None:
        redirect_output()  # to the run's engine.log when the driver named one
        self._aux_lock = threading.Lock()
        """Two shards run at once (threads); auxiliary models load once, under this lock."""
        self.engine = create_engine(engine_name, **engine_kwargs)
        self.engine_kind = engine_name
        self.engine_kwargs = engine_kwargs
        self.model_name = model_name
        self.aux: dict[AuxModel, tuple[object, ModelInfo]] = {}
        """Auxiliary models (`AUX_KINDS`) by need, loaded with the engine (or on first use) and kept."""
        for need in aux_models:
            self._aux(need)

    def engine_name(self) -> str:
        return self.engine.name

    def watch(self, queue: Any, key: str) -> bool:
        """Report the engine's counters to the driver's progress `queue` (False: the engine has none)."""
        counters = getattr(self.engine, "counters", None)
        if counters is None:
            return False
        start_reporter(counters, queue, key)
        return True

    def run(self, shard: Shard) -> list[Sample]:
        plain = [i for i in shard.items if i.pool.strategy is None]
        search: dict[str, list[WorkItem]] = {}
        for item in shard.items:
            if item.pool.strategy is not None:
                search.setdefault(item.pool.hash, []).append(item)
        samples = self._sample(plain)
        for items in search.values():
            samples += self._search(items)
        return samples

    def _sample(self, items: list[WorkItem]) -> list[Sample]:
        prompts = [self.engine.render(item.chat()) for item in items]
        params = [replace(item.pool.params, n=len(item.indices)) for item in items]
        outputs = self.engine.generate(prompts, params)
        samples = []
        for item, completions in zip(items, outputs, strict=True):
            for index, c in zip(item.indices, completions, strict=True):
                samples.append(Sample(problem_id=item.problem_id, model=self.model_name, pool=item.pool.hash,
                                      index=index, output=c, engine=self.engine.name))
        return samples

    def _search(self, items: list[WorkItem]) -> list[Sample]:
        """Run one search strategy on its problems of the shard; one Sample per (problem, cell)."""
        from strategies import CellIndex, SearchStrategy, get_strategy
        from tasks import get_task

        spec = items[0].pool
        assert spec.strategy is not None
        strategy = get_strategy(spec.strategy.name, **spec.strategy.options)
        assert isinstance(strategy, SearchStrategy)
        aux = {need: self._aux(need) for need in strategy.needs()}
        task = get_task(spec.task)
        problems = [item.problem for item in items]

        def answer_of(i: int, text: str) -> str | None:
            problem = problems[i]
            return None if problem is None else task.verify(problem, text).extracted

        traces = strategy.run(SearchContext(
            engine=self.engine, chats=[item.chat() for item in items], base=spec.params, answer_of=answer_of,
            models={need: model for need, (model, _) in aux.items()},
            infos={need: info for need, (_, info) in aux.items()}))
        cells = CellIndex.of(strategy).cells  # store index i holds the trace of cell i
        samples = []
        for position, item in enumerate(items):
            for index in item.indices:
                trace = traces[cells[index]][position]
                output = Completion(
                    text=trace.text, finish_reason="search", prompt_tokens=trace.prompt_tokens,
                    completion_tokens=trace.completion_tokens, mean_logprob=0.0, sum_logprob=0.0,
                    latency_s=sum(c.latency_s for c in trace.calls))
                samples.append(Sample(problem_id=item.problem_id, model=self.model_name, pool=spec.hash,
                                      index=index, output=output, engine=self.engine.name, role="search",
                                      calls=[c.to_json() for c in trace.calls], info=dict(trace.info)))
        return samples

    def _aux(self, need: AuxModel) -> tuple[object, ModelInfo]:
        """The auxiliary model `need` names and its ModelInfo, loaded by its kind on first use."""
        with self._aux_lock:
            if need not in self.aux:
                kind = AUX_KINDS[need.kind]
                host = Host(self.engine, self.engine_kind, self.engine_kwargs)
                self.aux[need] = kind.create(kind.load(need.config), host)
            return self.aux[need]


def init_ray(cluster: ClusterConfig, log_to_driver: bool = True) -> None:
    import ray

    if ray.is_initialized():
        return
    level = logging.INFO if log_to_driver else logging.WARNING  # no "Started a local Ray instance"
    if cluster.address:
        ray.init(address=cluster.address, ignore_reinit_error=True, log_to_driver=log_to_driver,
                 logging_level=level)
    else:
        ray.init(
            include_dashboard=False,
            ignore_reinit_error=True,
            object_store_memory=512 * 1024**2,
            log_to_driver=log_to_driver,
            logging_level=level,
        )


def engine_kwargs(
    model: ModelConfig, model_path: str, engine: EngineConfig, seed: int, cluster: ClusterConfig | None = None
) -> dict[str, Any]:
    if engine.name == "openai":
        return {"model_path": model_path, "base_url": engine.base_url, "served_model": engine.served_model,
                "api_key_env": engine.api_key_env, "max_concurrency": engine.max_concurrency,
                "supports_n": engine.supports_n}
    return {
        **model_kwargs(model, model_path),
        "seed": seed,
        "cpu_kv_cache_gib": engine.cpu_kv_cache_gib,
        "tensor_parallel_size": engine.tensor_parallel_size,
        "distributed_executor_backend": engine.distributed_executor_backend
        or ("ray" if cluster is not None and uses_placement_group(engine, cluster) else None),
        "gpu_memory_utilization": engine.gpu_memory_utilization,
        "enable_prefix_caching": engine.enable_prefix_caching,
        "max_num_seqs": engine.max_num_seqs,
        "quantization": engine.quantization,
        "compile": engine.compile,
        "cpu_threads": cluster.num_cpus_per_replica if cluster is not None else None,
    }


def needs_of(shards: list[Shard]) -> tuple[AuxModel, ...]:
    """Every auxiliary model the search strategies of `shards` need (`needs()`), each once, in order."""
    from strategies import get_strategy

    specs = {i.pool.hash: c for s in shards for i in s.items if (c := i.pool.strategy) is not None}
    return tuple(sorted({need for c in specs.values() for need in get_strategy(c.name, **c.options).needs()}))


PER_REPLICA = 2
"""Shards a replica holds and runs at once (threads sharing its engine's batch)."""


class ShardFailedError(RuntimeError):
    """A shard's replica died more often than `cluster.max_retries` allows."""


class ReplacementLoadError(RuntimeError):
    """A replica started in place of a dead one could not load its engine."""


@dataclass(frozen=True)
class RunStats:
    """What one `run_shards` call did."""

    samples: int
    """Samples written to the store."""
    tokens: int
    """Generated tokens in those samples."""
    load_s: float
    """Seconds until every replica had its engine loaded."""
    generate_s: float
    """Seconds from the first shard sent to the last shard written."""


def run_shards(
    shards: list[Shard],
    model: ModelConfig,
    model_path: str,
    engine: EngineConfig,
    cluster: ClusterConfig,
    seed: int,
    store_root: Path,
    replica_cls: type = Replica,
    log_path: Path | None = None,
    max_tokens: int = 0,
    history: Throughput | None = None,
) -> RunStats:
    """Generate every shard on `cluster.replicas` actors and write each to its pool's store.

    A shard whose replica dies goes back to the front of the queue and the replica is replaced;
    the next replica with room takes the shard, and a replacement takes work once its engine has
    loaded, so no shard waits on a load while another replica is up. A replacement that cannot
    load is dropped; with no replica left the run ends (`ReplacementLoadError`). A shard that
    failed more than `cluster.max_retries` times is given up, the other shards still finish, and
    then `ShardFailedError` lists what failed (what was written stays in the store, so a rerun
    resumes). `replica_cls` is for fault-injection tests. With `log_path` the replicas' output goes
    there (and Ray's worker logs stay off the terminal); `max_tokens` and `history` feed the ETA."""
    if not shards:
        return RunStats(0, 0, 0.0, 0.0)
    import ray
    from ray.exceptions import RayActorError

    with output_to(log_path):  # Ray's start-up messages (and its processes' output) to the log too
        init_ray(cluster, log_to_driver=log_path is None)
    actor_cls: Any = ray.remote(replica_cls)
    kwargs = engine_kwargs(model, model_path, engine, seed, cluster)
    env = {"VLLM_CPU_KVCACHE_SPACE": str(engine.cpu_kv_cache_gib), "TOKENIZERS_PARALLELISM": "false"}
    if log_path is not None:
        env[LOG_ENV] = str(log_path.resolve())
    placement = Placement(engine, cluster, env)
    wanted = max(1, min(cluster.replicas, len(shards)))
    n_replicas = replicas_that_fit(wanted, engine, cluster, float(ray.cluster_resources().get("GPU", 0)))
    if n_replicas < wanted:
        print(f"{n_replicas} of {wanted} replicas fit ({engine.tensor_parallel_size} GPUs each)", flush=True)
    grouped = uses_placement_group(engine, cluster)
    aux = needs_of(shards)
    extra = (aux,) if aux else ()  # auxiliary models load with the engine, inside the load time
    group_of: dict[Any, Any] = {}
    total = sum(s.n_samples for s in shards)
    quiet = os.environ.get("TTC_NO_PROGRESS") == "1"
    searched = any(i.pool.strategy is not None for s in shards for i in s.items)
    progress = ModelProgress(model.name, total, max_tokens, history, quiet=quiet,
                             live_samples=not searched)  # a search trace is many engine requests
    from ray.util.queue import Queue

    reports = Queue(actor_options={"num_cpus": 0})
    watched = 0
    key_of: dict[Any, str] = {}

    def new_replica(slot: int, group: Any | None = None) -> Any:
        nonlocal watched
        if grouped and group is None:
            group = placement.new_group(cluster.placement_timeout_s)
        own = {**kwargs, "cpu_slot": slot} if engine.name == "vllm" else kwargs  # its own cores on CPU
        actor = actor_cls.options(**placement.options(group), max_concurrency=PER_REPLICA).remote(
            engine.name, own, model.name, *extra)
        group_of[actor] = group
        if hasattr(replica_cls, "watch"):
            key_of[actor] = f"replica-{watched}"
            actor.watch.remote(reports, key_of[actor])
            watched += 1
        return actor

    try:
        replicas: list[Any] = [new_replica(slot) for slot in range(n_replicas)]
        load_start = time.perf_counter()
        loading = [r.engine_name.remote() for r in replicas]
        while True:  # wait until every engine is loaded, saying so every few seconds
            _, loading_left = ray.wait(loading, num_returns=len(loading), timeout=INTERVAL_S)
            if not loading_left:
                break
            if not quiet:
                print(f"{model.name}: loading {len(loading_left)} of {len(loading)} engine(s), "
                      f"{time.perf_counter() - load_start:.0f}s", flush=True)
        ray.get(loading)
    except BaseException:
        placement.release()
        raise
    load_s = time.perf_counter() - load_start
    stores = {i.pool.hash: i.pool.store(store_root) for s in shards for i in s.items}
    queue = deque(shards)
    inflight: dict[Any, tuple[Shard, Any]] = {}
    failures: dict[int, int] = {}
    failed: list[str] = []
    written = tokens = 0
    progress.start = start = time.perf_counter()
    suspects: set[int] = set()
    """Shards that were in flight on a replica that died beside another shard: they run alone."""

    replacing: dict[Any, Any] = {}
    """A replacement's load (its `engine_name` call) -> the replacement, until its engine is up."""

    def feed(replica: Any) -> None:
        """Give `replica` shards until it holds PER_REPLICA (a suspect shard runs alone); a replacement
        still loading gets none."""
        if replica in replacing.values():
            return
        while queue:
            mine = [s for s, r in inflight.values() if r is replica]
            if len(mine) >= PER_REPLICA or any(s.number in suspects for s in mine):
                return
            if mine and queue[0].number in suspects:
                return
            nxt = queue.popleft()
            inflight[replica.run.remote(nxt)] = (nxt, replica)

    try:
        for _ in range(PER_REPLICA):  # the next shard joins the engine's batch while one drains
            for replica in replicas:
                if queue:
                    shard = queue.popleft()
                    inflight[replica.run.remote(shard)] = (shard, replica)
        while inflight or (queue and replacing):  # shards left and only loading replicas: wait for them
            ready, _ = ray.wait([*inflight, *replacing], num_returns=1, timeout=REPORT_S)
            drain(reports, progress)
            if not ready:
                continue
            if ready[0] in replacing:  # a replacement's engine is up: it takes work now
                fresh = replacing.pop(ready[0])
                try:
                    ray.get(ready[0])
                except Exception as exc:  # its slot is dropped; the live replicas go on without it
                    replicas.remove(fresh)
                    ray.kill(fresh)
                    live = [r for r in replicas if r not in replacing.values()]
                    if not live and not replacing:
                        raise ReplacementLoadError(
                            f"a replica of {model.name} started in place of a dead one could not load its "
                            f"engine ({type(exc).__name__}) and no replica is left; what finished is in "
                            "the store, and a rerun resumes") from exc
                    print(f"a replica started in place of a dead one could not load its engine "
                          f"({type(exc).__name__}); {len(live)} replica(s) go on", flush=True)
                    continue
                feed(fresh)
                continue
            shard, replica = inflight.pop(ready[0])
            try:
                samples: list[Sample] = ray.get(ready[0])
            except RayActorError as exc:  # the replica died: its shards go back to the queue
                lost = [shard] + [inflight.pop(ref)[0] for ref in
                                  [ref for ref, (_, r) in inflight.items() if r is replica]]
                if len(lost) > 1:  # which one killed it is unknown: none is charged, each reruns alone
                    suspects.update(s.number for s in lost)
                    queue.extendleft(sorted(lost, key=lambda s: -s.number))
                    print(f"replica died ({type(exc).__name__}) running shards "
                          f"{', '.join(str(s.number) for s in lost)}; each reruns alone on a replica",
                          flush=True)
                else:
                    failures[shard.number] = failures.get(shard.number, 0) + 1
                    if failures[shard.number] > cluster.max_retries:
                        failed.append(
                            f"shard {shard.number} of {model.name} ({len(shard.problem_ids)} problems) "
                            f"failed {failures[shard.number]} times (max_retries={cluster.max_retries}); "
                            f"last error: {type(exc).__name__}")
                        print(f"giving up on {failed[-1]}", flush=True)
                    else:
                        queue.appendleft(shard)
                        print(f"replica died ({type(exc).__name__}); shard {shard.number} goes back to the "
                              f"queue (retry {failures[shard.number]} of {cluster.max_retries})",
                              flush=True)
                progress.live.pop(key_of.get(replica, ""), None)  # what it had not written is lost
                if replica in replicas:  # replace it (same slot, same group); it takes work once loaded
                    slot = replicas.index(replica)
                    fresh = new_replica(slot, group_of.get(replica))
                    replicas[slot] = fresh
                    ray.kill(replica)
                    replacing[fresh.engine_name.remote()] = fresh
                for other in replicas:  # a replica with room takes the shards back (suspects alone)
                    feed(other)
                continue
            by_pool: dict[str, list[Sample]] = {}
            for s in samples:
                by_pool.setdefault(s.pool, []).append(s)
            for pool_hash, pool_samples in by_pool.items():
                written += stores[pool_hash].append(pool_samples)
            shard_tokens = sum(s.output.completion_tokens for s in samples)
            tokens += shard_tokens
            progress.shard_done(len(samples), shard_tokens)
            feed(replica)
        assert not queue, "every shard was run or given up"
    finally:
        progress.close()
        for replica in replicas:
            ray.kill(replica)
        placement.release()
        with contextlib.suppress(Exception):
            reports.shutdown(force=True)
    if failed:
        raise ShardFailedError("; ".join(failed))
    return RunStats(written, tokens, load_s, time.perf_counter() - start)

"""The engine's thread binding: every core the replica owns, none reserved, replicas on disjoint cores."""

from __future__ import annotations

import pytest

from harness.engines.cpu_binding import BIND, RESERVED, cpu_binding, id_list


def test_id_list_compresses_runs() -> None:
    assert id_list([0, 1]) == "0-1"
    assert id_list([5, 0, 1, 2]) == "0-2,5"
    assert id_list([3]) == "3"
    assert id_list([0, 2, 4, 5]) == "0,2,4-5"


def test_one_replica_gets_every_available_core_and_reserves_none() -> None:
    b = cpu_binding(2, available={0, 1}, environ={})
    assert b.env() == {BIND: "0-1", RESERVED: "0"}
    assert not b.from_environment
    assert cpu_binding(None, available={2, 3, 7}, environ={}).bind == "2-3,7"  # not hard-coded: the affinity


def test_more_cpus_than_available_takes_what_there_is() -> None:
    assert cpu_binding(8, available={0, 1}, environ={}).bind == "0-1"
    assert cpu_binding(1.5, available={0, 1}, environ={}).bind == "0"  # a fractional CPU owns no extra core


def test_replicas_take_disjoint_slices_and_wrap() -> None:
    cores = set(range(8))
    slices = [cpu_binding(2, slot, available=cores, environ={}).bind for slot in range(5)]
    assert slices == ["0-1", "2-3", "4-5", "6-7", "0-1"]
    assert [cpu_binding(1, s, available={0, 1}, environ={}).bind for s in range(3)] == ["0", "1", "0"]


def test_a_binding_in_the_environment_wins() -> None:
    b = cpu_binding(2, available={0, 1}, environ={BIND: "auto"})
    assert b.from_environment and b.bind == "auto" and b.reserved == "unset"
    assert "from the environment" in b.line()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        cpu_binding(0, available={0, 1}, environ={})
    with pytest.raises(ValueError, match="no CPU cores"):
        cpu_binding(1, available=set(), environ={})


def test_the_binding_is_set_while_the_engine_starts_and_restored_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from harness.engines.cpu_binding import bound_threads

    monkeypatch.delenv(BIND, raising=False)
    monkeypatch.setenv(RESERVED, "3")
    with bound_threads(1, slot=1) as b:
        cores = sorted(os.sched_getaffinity(0))
        assert os.environ[BIND] == b.bind == str(cores[1 % len(cores)])
        assert os.environ[RESERVED] == "0"
    assert BIND not in os.environ and os.environ[RESERVED] == "3"  # nothing leaks to later processes


def test_an_engine_names_its_binding_in_one_line_or_says_it_runs_on_gpu() -> None:
    from harness.engines.vllm_engine import VLLMEngine

    engine = VLLMEngine.__new__(VLLMEngine)  # the line only: no model loads
    engine.cpu_binding = cpu_binding(2, available={0, 1}, environ={})
    assert engine.binding_line().startswith(f"engine threads: {BIND}=0-1 {RESERVED}=0 (derived; 2 cores")
    engine.cpu_binding = None
    assert engine.binding_line() == "engine threads: GPU, no CPU binding"

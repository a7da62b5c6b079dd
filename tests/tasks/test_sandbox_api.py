"""The sandbox's API: typed outputs, strict comparison, literal inputs from `check`, and the modes."""

from __future__ import annotations

import math
import os

import pytest

from tasks import boundary, get_task
from tasks.humaneval_inputs import check_inputs
from tasks.sandbox import Limits, Output, run_on_inputs
from tasks.typed_values import StrDigest, Unsupported, decode, encode, equal

FAST = Limits(wall_s=5.0, cpu_s=5)
UID = "import os\ndef f():\n    return os.getuid()\n"


@pytest.mark.parametrize("value", [None, True, 0, -7, 10**40, 1.5, math.inf, "é\n", b"\x00", [1, (2,)],
                                   {3: [None]}, {1, 2}, frozenset({"a"}), ()])
def test_encode_decode_round_trip_keeps_types(value: object) -> None:
    back = decode(encode(value))
    assert back == value and type(back) is type(value)


def test_long_strings_travel_as_digests() -> None:
    a, b = decode(encode("x" * 70000)), decode(encode("x" * 69999 + "y"))
    assert type(a) is StrDigest and a.length == 70000 and a != b and a == decode(encode("x" * 70000))


@pytest.mark.parametrize("value", [object(), type("I", (int,), {})(3), type("S", (str,), {})("a"), 1j,
                                   iter([1]), [object()]])
def test_values_without_a_tag_are_unsupported(value: object) -> None:
    with pytest.raises(Unsupported):
        encode(value)


def test_decode_rejects_a_float_past_every_float() -> None:
    with pytest.raises(ValueError):
        decode({"t": "float", "v": "0x1p99999"})


@pytest.mark.parametrize("data", [{"t": "int", "v": 3}, {"t": "str"}, {"t": "eval", "v": "1"}, [1],
                                  {"t": "list", "v": [{"t": "bool", "v": 1}]}, {"t": "dict", "v": [[1]]}])
def test_decode_rejects_what_encode_never_writes(data: object) -> None:
    with pytest.raises(ValueError):
        decode(data)


@pytest.mark.parametrize(("out", "expected", "atol", "same"), [
    (1, True, 0.0, False), (True, 1, 0.0, False), ([1], (1,), 0.0, False), (2, 2.0, 0.0, True),
    (0.1 + 0.2, 0.3, 0.0, True), (1.001, 1.0, 0.0, False), (1.001, 1.0, 0.01, True),
    (math.nan, math.nan, 0.0, True), (math.nan, 1.0, 0.0, False), ("1", 1, 0.0, False),
    ([1.0, [2.0]], [1.0, [2.0 + 1e-9]], 0.0, True), ({"a": 1}, {"a": 1.0}, 0.0, True),
    ({"a": 1}, {"b": 1}, 0.0, False), (None, 0, 0.0, False), ([1, 2], [1, 2, 3], 0.0, False),
    (10**400, 1.5, 0.0, False), (1.5, 10**400, 0.0, False), (10**400, math.inf, 0.0, False),
    ({True: 1}, {1: 1}, 0.0, False), ({1.0}, {1}, 0.0, False),
    (frozenset({True}), frozenset({1}), 0.0, False), ({1, "a"}, {"a", 1}, 0.0, True),
    (5 + 1e-7, 5, 0.0, False), (5.0, 5, 0.0, True), (5, 5 + 1e-7, 0.0, True), ([3 + 1e-9], [3], 0.0, False),
])
def test_equal_is_strict_about_types_and_tolerant_about_floats(out: object, expected: object, atol: float,
                                                               same: bool) -> None:
    assert equal(out, expected, atol) is same


def test_literal_inputs_are_read_from_check_and_other_tests_flagged() -> None:
    found = check_inputs("def check(candidate):\n    '''doc'''\n    import math\n"
                         "    assert candidate([1, 0**0], 'a' + 'b') == 3, 'msg'\n"
                         "    assert not candidate([], '')\n"
                         "    assert abs(candidate([2.5], 'x') - 1) < 1e-6\n"
                         "    assert candidate([1, 1], 'ab') == 3\n    assert True\n")
    assert found.inputs == [[[1, 1], "ab"], [[], ""], [[2.5], "x"]] and not found.other_tests
    loop = check_inputs("def check(candidate):\n    assert candidate(1) == 1\n"
                        "    for x in range(3):\n        assert candidate(x) == helper(x)\n")
    assert loop.inputs == [[1]] and loop.other_tests
    assert check_inputs("x = 1\n") == check_inputs("def check(:\n") == type(found)([], True)


def test_run_on_inputs_returns_typed_values_errors_and_timeouts() -> None:
    program = ("def f(x):\n    if x == 'loop':\n        while True: pass\n    if x == 'raise':\n"
               "        raise KeyError(x)\n    if x == 'obj':\n        return object()\n"
               "    return [x, (x,)]\n")
    inputs = [[1], ["raise"], ["obj"], ["a"], ["loop"], [2]]
    outs = run_on_inputs(program, "f", inputs, Limits(wall_s=3, cpu_s=5))
    assert outs[:4] == [Output("ok", [1, (1,)]), Output("raised", "KeyError"),
                        Output("unsupported", "Unsupported"), Output("ok", ["a", ("a",)])]
    assert [o.status for o in outs[4:]] == ["timeout", "timeout"]
    assert [o.status for o in run_on_inputs("def g(:\n", "g", [[1]], FAST)] == ["error"]
    assert [o.status for o in run_on_inputs("h = 3\n", "h", [[1]], FAST)] == ["error"]


def test_output_past_the_cap_kills_the_run() -> None:
    outs = run_on_inputs("def f():\n    return 'x' * 60000\n", "f", [[]] * 100, Limits(output_bytes=1 << 20))
    assert outs[-1] == Output("error", "overflow") and sum(o.status == "ok" for o in outs) < 20


def test_no_boundary_is_refused_unless_the_risk_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boundary, "bwrap_works", lambda: False)
    monkeypatch.delenv(boundary.ENV, raising=False)
    assert boundary.mode() == "unavailable"
    with pytest.raises(boundary.SandboxUnavailable, match="TTC_SANDBOX=unsafe_no_isolation"):
        get_task("humaneval").load(None, 1)
    with pytest.raises(boundary.SandboxUnavailable):
        run_on_inputs("def f():\n    return 1\n", "f", [[]], FAST)
    monkeypatch.setenv(boundary.ENV, "bwrap-ish")
    with pytest.raises(boundary.SandboxUnavailable, match="valid: bwrap, unsafe_no_isolation"):
        boundary.mode()
    monkeypatch.setenv(boundary.ENV, boundary.UNSAFE)
    task = get_task("humaneval")
    assert task.verifier_version == "2+unsafe_no_isolation"
    problem = task.load(None, 1)[0]
    assert task.verify(problem, problem.metadata["canonical_solution"]).correct
    assert run_on_inputs(UID, "f", [[]], FAST) == [Output("ok", os.getuid())]


def test_the_mode_is_part_of_the_verifier_version() -> None:
    assert boundary.mode() == boundary.BWRAP
    assert get_task("humaneval").verifier_version == "2+bwrap"
    assert run_on_inputs(UID, "f", [[]], FAST) == [Output("ok", 65534)]
    assert "seccomp filter" in boundary.description()

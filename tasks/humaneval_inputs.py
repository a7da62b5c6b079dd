"""The test inputs of a HumanEval `check` function, read with `ast` (never executed here).

`check_inputs(test_source)` returns every `candidate(...)` call's arguments that are literals, and
whether `check` also tests something other than input -> output (loops over random inputs, calls
of other functions, properties such as `poly(xs, candidate(xs)) ~ 0`). An assert counts as
input -> output when its only call of `candidate` has literal arguments and the rest of it uses
nothing but literals and a few pure built-ins (`assert candidate(3) == 2`, `assert not
candidate("a")`, `assert abs(candidate([1.0]) - 0.5) < 1e-6`, `assert tuple(candidate(x)) == ...`):
then a program whose output equals the canonical solution's passes it exactly when the canonical
solution does, so the differential verdict subsumes it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

_PURE = frozenset({"abs", "tuple", "list", "sorted", "set", "frozenset", "len", "round", "str", "int",
                   "float", "bool", "sum", "min", "max", "math"})


@dataclass(frozen=True)
class CheckInputs:
    inputs: list[list[Any]]
    """Positional arguments of each literal `candidate(...)` call, in order, without repeats."""
    other_tests: bool
    """`check` does more than input -> output asserts: its code must run as well."""


_FOLD = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
         ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
         ast.Pow: lambda a, b: a ** b}


def _value(node: ast.expr) -> Any:
    """A literal, or arithmetic on number literals (`3 * 19`, `0**0`), or `'ab' + 'c'`."""
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLD:
        left, right = _value(node.left), _value(node.right)
        numbers = all(type(x) in (int, float) for x in (left, right))
        if not (numbers or (type(left) is type(right) is str and isinstance(node.op, ast.Add))):
            raise ValueError("not a constant expression")
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise ValueError("exponent too large")
        return _FOLD[type(node.op)](left, right)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_value(e) for e in node.elts]
        return {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)](items)
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_value(k): _value(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    return ast.literal_eval(node)


def literal_args(call: ast.Call) -> list[Any] | None:
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    try:
        return [_value(a) for a in call.args]
    except (ValueError, TypeError, SyntaxError, ArithmeticError, MemoryError, RecursionError):
        return None


def candidate_calls(node: ast.AST, param: str) -> list[ast.Call]:
    return [n for n in ast.walk(node)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == param]


def _is_input_output(stmt: ast.stmt, param: str) -> bool:
    if not isinstance(stmt, ast.Assert):
        return False
    calls = candidate_calls(stmt.test, param)
    if len(calls) != 1 or literal_args(calls[0]) is None:
        return False
    for node in ast.walk(stmt.test):
        if isinstance(node, ast.Name) and node.id not in _PURE and node.id != param:
            return False
        if isinstance(node, ast.Attribute) and not (
                isinstance(node.value, ast.Name) and node.value.id == "math"):
            return False
        if isinstance(node, (ast.Lambda, ast.comprehension, ast.NamedExpr, ast.Await, ast.Yield)):
            return False
    return True


def _ignorable(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant | ast.Name):
        return True  # a docstring, or a bare `print`
    return isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Constant) and bool(stmt.test.value)


def check_inputs(test_source: str) -> CheckInputs:
    """Inputs of `check(candidate)` in `test_source`; no `check` at all means other tests only."""
    try:
        module = ast.parse(test_source)
    except SyntaxError:
        return CheckInputs([], True)
    checks = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "check" and n.args.args]
    if not checks:
        return CheckInputs([], True)
    check = checks[-1]
    param = check.args.args[0].arg
    inputs: list[list[Any]] = []
    seen: set[str] = set()
    for call in candidate_calls(check, param):
        args = literal_args(call)
        if args is not None and repr(args) not in seen:
            seen.add(repr(args))
            inputs.append(args)
    other = any(not (_is_input_output(s, param) or _ignorable(s)) for s in check.body)
    return CheckInputs(inputs, other)

"""Plain values as type-tagged JSON, and the strict comparison the code verdict uses.

`encode` turns None, bool, int, float, str, bytes, list, tuple, set, frozenset and dict (of those)
into JSON-able data such as `{"t": "int", "v": "0x3"}`; anything else (an object with its own `__eq__`,
a subclass of int or str, a generator) raises `Unsupported`. A str of `LONG_STR` characters or more
travels as its SHA-256 (`StrDigest`). `decode` is the strict inverse of `encode` and raises
`ValueError` on anything it did not write. `equal` compares two decoded values as EvalPlus does:
exact types (a tuple is not a list, True is not 1, also among set elements and dict keys), a float
answer within `atol` (1e-6 when the task gives none) plus a relative 1e-7, NaN equal to NaN; an int
answer exact (a float of the same value is equal to it, one 1e-7 off is not).

This file uses only the standard library and no other project module: the sandbox runs its source
text as is, so the child encodes with the same code the parent decodes with.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

MAX_DEPTH = 50
LONG_STR = 1 << 16
"""A str this long travels as its SHA-256 and length: equal strings give equal digests."""


class StrDigest(NamedTuple):
    """A long string, by digest (equal only to the digest of an equal string)."""

    sha256: str
    length: int


class Unsupported(TypeError):
    """A value of a type that has no tag: the program's output cannot be judged."""


def encode(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise Unsupported("nested too deeply")
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool:
        return {"t": "bool", "v": bool(value)}
    if kind is int:
        return {"t": "int", "v": hex(int(value))}  # hex: no digit limit (sys.int_max_str_digits)
    if kind is float:
        return {"t": "float", "v": float.hex(value)}
    if kind is str:
        text = str.__str__(value)
        if len(text) >= LONG_STR:
            import hashlib

            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            return {"t": "str-sha256", "v": digest, "n": len(text)}
        return {"t": "str", "v": text}
    if kind is bytes:
        return {"t": "bytes", "v": bytes.hex(value)}
    if kind in (list, tuple, set, frozenset):
        items = list(value) if kind in (list, tuple) else sorted(value, key=repr)
        return {"t": kind.__name__, "v": [encode(x, depth + 1) for x in items]}
    if kind is StrDigest:
        return {"t": "str-sha256", "v": str(value.sha256), "n": int(value.length)}
    if kind is dict:
        pairs = [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in dict.items(value)]
        return {"t": "dict", "v": pairs}
    raise Unsupported(f"no tag for type {kind.__name__}")


_SEQUENCES: dict[str, type] = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


def decode(data: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH or type(data) is not dict or type(data.get("t")) is not str:
        raise ValueError("not a tagged value")
    tag, v = data["t"], data.get("v")
    if tag == "none" and len(data) == 1:
        return None
    if tag == "bool" and type(v) is bool:
        return v
    if tag == "int" and type(v) is str and v.lstrip("-").startswith("0x"):
        return int(v, 16)
    if tag == "float" and type(v) is str:
        try:
            return float.fromhex(v)
        except OverflowError:  # "0x1p99999": no float encodes to it
            raise ValueError("float out of range") from None
    if tag == "str" and type(v) is str:
        return v
    if tag == "str-sha256" and type(v) is str and type(data.get("n")) is int:
        return StrDigest(v, data["n"])
    if tag == "bytes" and type(v) is str:
        return bytes.fromhex(v)
    if tag in _SEQUENCES and type(v) is list:
        return _SEQUENCES[tag](decode(x, depth + 1) for x in v)
    if tag == "dict" and type(v) is list:
        pairs = []
        for pair in v:
            if type(pair) is not list or len(pair) != 2:
                raise ValueError("not a key/value pair")
            pairs.append((decode(pair[0], depth + 1), decode(pair[1], depth + 1)))
        return dict(pairs)
    raise ValueError(f"bad tagged value {tag!r}")


def _is_number(x: Any) -> bool:
    return type(x) in (int, float)


def equal(out: Any, expected: Any, atol: float = 0.0) -> bool:
    """Whether a candidate's output matches the reference output (see the module docstring)."""
    if type(out) is float or type(expected) is float:
        if not (_is_number(out) and _is_number(expected)):
            return False
        if out == expected:
            return True
        if type(expected) is not float:  # an int answer is exact: 5.0000001 is not 5 (EvalPlus too)
            return False
        try:
            if math.isnan(out) or math.isnan(expected):
                return math.isnan(out) and math.isnan(expected)
            return abs(out - expected) <= (atol or 1e-6) + 1e-7 * abs(expected)
        except OverflowError:  # an int past every float (10**400 against 1.5): not within tolerance
            return False
    if type(out) is not type(expected):
        return False
    if type(out) in (list, tuple):
        same_length = len(out) == len(expected)
        return same_length and all(equal(a, b, atol) for a, b in zip(out, expected, strict=True))
    if type(out) is dict:
        same_keys = _typed(out.keys()) == _typed(expected.keys())
        return same_keys and all(equal(out[k], expected[k], atol) for k in expected)
    if type(out) in (set, frozenset):
        return _typed(out) == _typed(expected)
    return bool(out == expected)


def _typed(items: Any) -> set[tuple[type, Any]]:
    """Set elements or dict keys with their exact types: {True} is not {1}, nor {1.0}."""
    return {(type(x), x) for x in items}

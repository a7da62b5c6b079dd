"""The import contracts of the floor plan, read from the source with `ast` (nothing is imported):

- `core/` imports nothing of the project; `tasks/` and `strategies/` import `core` (and themselves) only;
  `harness/` may import all three; no package imports `tests/` or `bench/`.
- The kernel, the tasks and the strategies import no model backend (vllm, ray, torch, transformers, openai):
  a strategy gets the engine protocol passed in.
- No import cycle between the modules of core, harness, tasks and strategies.

Every import statement counts, wherever it stands: at module level, inside a function (an import deferred
to dodge a cycle is still the cycle) and under `if TYPE_CHECKING:` (a type-only import is still one module
knowing another; deferring it to type-checking time is how a cycle gets hidden, not removed).
`from pkg import name` is an import of the submodule `pkg.name` when there is one, else of `pkg`'s
`__init__`. `importlib.import_module("a.b")` and `__import__("a.b")` with a literal name count as
`import a.b`.
In the cycle check, importing `a.b.c` also imports the packages `a` and `a.b` that Python runs on the way,
except those the importing module is itself inside of: `a/b/__init__.py` importing `a.b.c` is a facade,
but `a/b/__init__.py` importing `x`, which imports `a.b.c`, is a cycle (x -> a.b -> x).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "harness", "tasks", "strategies")  # the modules in the cycle check
PROJECT = (*PACKAGES, "tests", "bench")  # every top-level name of the project
ALLOWED = {"core": {"core"}, "tasks": {"core", "tasks"}, "strategies": {"core", "strategies"},
           "harness": {"core", "harness", "tasks", "strategies"}}
BACKENDS = ("vllm", "ray", "torch", "transformers", "openai")
NO_BACKEND = ("core", "tasks", "strategies")


@dataclass(frozen=True)
class Import:
    """One module naming another in one import statement."""

    source: str  # the importing module, e.g. "harness.run.execute"
    target: str  # the imported module, resolved, e.g. "harness.engines" (its __init__)
    where: str  # "harness/run/execute.py:12: from harness.engines import X" (file, line, statement)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_files(root: Path) -> dict[str, Path]:
    """module name -> file, for every module of the packages that the contracts constrain."""
    files = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            files[module_name(path, root)] = path
    return files


def resolve(source: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a `from` statement names (relative imports resolved against `source`)."""
    if not node.level:
        return node.module or ""
    base = source.split(".") if is_package else source.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def literal_import(node: ast.Call) -> str | None:
    """The module of `importlib.import_module("a.b")`, `import_module("a.b")` or `__import__("a.b")`."""
    if not (node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str) and not node.args[0].value.startswith(".")):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return node.args[0].value if name in ("import_module", "__import__") else None


def imports_of(source: str, path: Path, root: Path, modules: set[str]) -> Iterator[Import]:
    """Every module that `path` imports, anywhere in the file (functions and TYPE_CHECKING blocks too)."""
    text = path.read_text()
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, ast.Call) and (dynamic := literal_import(node)):
            where = f"{path.relative_to(root)}:{node.lineno}: {ast.get_source_segment(text, node)}"
            yield Import(source, dynamic, where)
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        statement = " ".join(line.strip() for line in lines[node.lineno - 1: node.end_lineno])
        where = f"{path.relative_to(root)}:{node.lineno}: {statement}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, where)
        else:
            base = resolve(source, path.name == "__init__.py", node)
            named = {f"{base}.{a.name}" for a in node.names} & modules  # `from pkg import submodule`
            for target in sorted(named):
                yield Import(source, target, where)
            if len(named) < len(node.names):  # some names are attributes of `base` itself
                yield Import(source, base, where)


def all_imports(root: Path = ROOT) -> list[Import]:
    files = project_files(root)
    return [imp for source, path in files.items() for imp in imports_of(source, path, root, set(files))]


def parents_run(source: str, target: str) -> list[str]:
    """The packages Python runs to import `target` (`a`, `a.b` for `a.b.c`) that `source` is not inside of."""
    parts = target.split(".")
    packages = [".".join(parts[:i]) for i in range(1, len(parts))]
    return [p for p in packages if source != p and not source.startswith(p + ".")]


def top(module: str) -> str:
    return module.split(".")[0]


def violations(imports: list[Import]) -> list[str]:
    """Imports that break the layering: a package importing a project package it must not know."""
    bad = []
    for imp in imports:
        src, dst = top(imp.source), top(imp.target)
        if dst in PROJECT and dst not in ALLOWED[src]:
            bad.append(f"{imp.source} imports {imp.target} ({src}/ may import {sorted(ALLOWED[src])} "
                       f"only)\n    {imp.where}")
        if src in NO_BACKEND and dst in BACKENDS:
            bad.append(f"{imp.source} imports the backend {imp.target}\n    {imp.where}")
    return bad


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of `graph` with more than one module (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def shortest_cycle(graph: dict[str, set[str]], start: str) -> list[str]:
    """The shortest path start -> ... -> start (breadth first), as the list of modules on it."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node]):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if child not in parent:
                parent[child] = node
                queue.append(child)
    raise AssertionError(f"{start} is on no cycle")


def cycles(imports: list[Import]) -> list[str]:
    """Each group of modules that import each other in a circle (a strongly connected component), printed
    whole: its shortest cycles, shortest first, until each of its modules is shown, every step with the
    statement that makes it."""
    graph: dict[str, set[str]] = {imp.source: set() for imp in imports}
    where: dict[tuple[str, str], str] = {}
    for imp in imports:
        for target in (imp.target, *parents_run(imp.source, imp.target)):
            if target in graph and target != imp.source:
                graph[imp.source].add(target)
                where.setdefault((imp.source, target), imp.where)
    blocks = []
    for component in strongly_connected(graph):
        members = set(component)
        sub = {m: graph[m] & members for m in component}
        lines = [f"cycle among {', '.join(component)}:"]
        shown: set[str] = set()
        for cycle in sorted((shortest_cycle(sub, start) for start in component), key=len):  # shortest first
            if set(cycle) <= shown:
                continue
            shown.update(cycle)
            lines.append("  " + " -> ".join(cycle))
            lines += [f"    {where[a, b]}" for a, b in pairwise(cycle)]
        blocks.append("\n".join(lines))
    return blocks


def test_layering() -> None:
    """core/ knows nothing of the project; tasks/ and strategies/ know core/ only; none of the three
    imports a model backend."""
    bad = violations(all_imports())
    if bad:
        pytest.fail("layering violated:\n" + "\n".join(bad), pytrace=False)


def test_no_import_cycles() -> None:
    found = cycles(all_imports())
    if found:
        pytest.fail(f"{len(found)} import cycle(s):\n" + "\n".join(found), pytrace=False)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for package in PACKAGES:
        (root / package).mkdir(exist_ok=True)
    return root


def test_the_checks_catch_what_they_must(tmp_path: Path) -> None:
    """The checks on a made-up tree: a function-level import, a relative import, a TYPE_CHECKING import
    and `from pkg import submodule` each count, and the messages name the file, line and statement."""
    root = write_tree(tmp_path, {
        "core/__init__.py": "",
        "core/records.py": "def f():\n    import harness\n",
        "harness/__init__.py": "from core import records\n",
        "tasks/__init__.py": "from . import base\n",
        "tasks/base.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tasks import Task\n",
        "strategies/__init__.py": "",
        "strategies/best.py": "from ..harness.engines import vllm_engine\nimport torch.nn\n",
    })
    imports = all_imports(root)
    assert violations(imports) == [
        "core.records imports harness (core/ may import ['core'] only)\n"
        "    core/records.py:2: import harness",
        "strategies.best imports harness.engines (strategies/ may import ['core', 'strategies'] only)\n"
        "    strategies/best.py:1: from ..harness.engines import vllm_engine",
        "strategies.best imports the backend torch.nn\n    strategies/best.py:2: import torch.nn",
    ]
    assert cycles(imports) == [
        "cycle among core.records, harness:\n  core.records -> harness -> core.records\n"
        "    core/records.py:2: import harness\n    harness/__init__.py:1: from core import records",
        "cycle among tasks, tasks.base:\n  tasks -> tasks.base -> tasks\n"
        "    tasks/__init__.py:1: from . import base\n    tasks/base.py:3: from tasks import Task",
    ]


def test_the_checks_read_the_whole_tree() -> None:
    """On the real tree the parser sees every package, function-level imports included (so the contracts
    cannot pass by seeing nothing)."""
    imports = all_imports()
    assert {top(i.source) for i in imports} == set(PACKAGES) and len(imports) > 500
    assert any(i.source == "core.registry" and i.target == "importlib" for i in imports)  # in a function


def test_the_checks_see_parent_packages_and_literal_dynamic_imports(tmp_path: Path) -> None:
    """`from a.b import c` runs `a/b/__init__.py`, which closes a cycle if it imports the importer back; a
    facade `__init__` importing its own submodules does not; `import_module("x")` is an import of x."""
    root = write_tree(tmp_path, {
        "harness/__init__.py": "",
        "harness/schemas.py": "from harness.engines import info\n",
        "harness/engines/__init__.py": "from harness.schemas import Config\n"
                                       "from harness.engines.info import X\n",
        "harness/engines/info.py": "from harness.engines.util import Y\n",
        "harness/engines/util.py": "import os\n",
        "core/registry.py": "import importlib\ndef f():\n    importlib.import_module('harness.schemas')\n",
        "strategies/best.py": "def f(name):\n    __import__('torch')\n    __import__(f'strategies.{name}')\n",
    })
    imports = all_imports(root)
    assert violations(imports) == [
        "core.registry imports harness.schemas (core/ may import ['core'] only)\n"
        "    core/registry.py:3: importlib.import_module('harness.schemas')",
        "strategies.best imports the backend torch\n    strategies/best.py:2: __import__('torch')",
    ]
    assert cycles(imports) == [
        "cycle among harness.engines, harness.schemas:\n"
        "  harness.engines -> harness.schemas -> harness.engines\n"
        "    harness/engines/__init__.py:1: from harness.schemas import Config\n"
        "    harness/schemas.py:1: from harness.engines import info",
    ]

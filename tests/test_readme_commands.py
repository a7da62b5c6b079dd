"""README.md and docs/*.md stay true: every command they show that needs no model and no network runs.

From each ```bash block: a line marked `# -> error: TEXT` must exit 2 with one `error:` line holding
TEXT; a `--help` line must exit 0; a block made only of `python -m harness` verbs that load no model
(judge, import, report, check), `python -` scripts and `cat`/`echo` runs whole, in order, in one
temporary folder per page (so a page's later block can read an earlier one's output), and a
`# prints: TEXT` comment must appear in its output. Blocks that need a model, `make` or placeholders
(RUN, MODEL, ...) are shown only; ```text blocks are never run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SAFE_VERBS = ("judge", "import", "report", "check")
PLACEHOLDER = re.compile(r"\bRUN\b|\bMODEL\b|\bNAME\b|\bFILE\b|<[a-z_]+>|\[[A-Z]")


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M)


def commands(block: str) -> list[str]:
    """The block's command lines, heredoc bodies left out."""
    out, end = [], None
    for line in block.splitlines():
        if end is not None:
            end = None if line.strip() == end else end
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            out.append(line)
        heredoc = re.search(r"<<\s*'?(\w+)'?", line)
        if heredoc:
            end = heredoc.group(1)
    return out


def runs_whole(block: str) -> bool:
    lines = [c for c in commands(block) if "# -> error:" not in c]
    if not lines or PLACEHOLDER.search("\n".join(lines)):
        return False
    for line in lines:
        words = line.split()
        harness_verb = words[:3][:2] == ["python", "-m"] and len(words) > 3 and words[3] in SAFE_VERBS
        if not (harness_verb or words[:2] == ["python", "-"] or words[0] in ("cat", "echo")):
            return False
    return True


def env() -> dict[str, str]:
    """`python` is this interpreter (the venv's bin first on PATH, as after `. .venv/bin/activate`)."""
    venv_bin = Path(sys.executable).parent
    return dict(os.environ, PATH=f"{venv_bin}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(ROOT),
                WANDB_MODE="disabled")


def run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env(), capture_output=True,
                          text=True, timeout=600)


def checks() -> list[tuple[str, str, str]]:
    """(page, kind, text) for every runnable command or block."""
    found = []
    for page in PAGES:
        for block in bash_blocks(page.read_text()):
            for line in commands(block):
                if "# -> error:" in line:
                    found.append((page.name, "error", line))
                elif line.split()[:2] == ["python", "-m"] and "--help" in line.split("#")[0]:
                    found.append((page.name, "help", line))
            if runs_whole(block):
                found.append((page.name, "block", block))
    return found


def test_the_pages_show_runnable_commands() -> None:
    kinds = {(page, kind) for page, kind, _ in checks()}
    assert {("README.md", "error"), ("README.md", "help"), ("import.md", "block")} <= kinds


@pytest.mark.parametrize(("page", "kind", "text"), checks(), ids=lambda v: str(v)[:60])
def test_command_does_what_the_page_says(page: str, kind: str, text: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    cwd = tmp_path_factory.getbasetemp() / f"page-{page}"
    cwd.mkdir(exist_ok=True)
    if kind == "error":
        command, expected = text.split("# -> error:")
        done = run(command, cwd)
        assert done.returncode == 2, done.stderr[-2000:]
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr[-2000:]
        assert expected.strip() in done.stderr
    elif kind == "help":
        done = run(text.split("#")[0], cwd)
        assert done.returncode == 0 and "usage:" in done.stdout, done.stderr[-2000:]
    else:
        script = "\n".join(line for line in text.splitlines() if "# -> error:" not in line)
        done = run(script, cwd)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        for said in re.findall(r"# prints: (.*)", text):
            assert said.strip() in done.stdout

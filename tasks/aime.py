"""AIME 2024 and 2025: integer answers 0-999 ("025" == "25"), judged as integers."""

from __future__ import annotations

import re

from tasks._base import TASKS, Problem, Verdict
from tasks._math_base import MathTask
from tasks.data import DataSource, load_records
from tasks.math_check import check_math

_INT = re.compile(r"^\s*(\d{1,3})\s*$")


def integer_verdict(v: Verdict, reference: str) -> Verdict:
    """Re-judge an extracted answer as an AIME integer when it is one."""
    if v.extracted is not None:
        m = _INT.match(v.extracted.replace("\\,", "").replace("{,}", ""))
        if m:
            value = int(m.group(1))
            return Verdict(extracted=str(value), correct=value == int(reference), status=v.status,
                           extracted_by=v.extracted_by)
    return v


class AIME(MathTask):
    source: DataSource
    year: int

    def load(self, data_dir: str | None, limit: int | None) -> list[Problem]:
        rows = load_records(self.source, data_dir, limit)
        return [
            Problem(
                task=self.name,
                id=f"{self.name}/{row.get('id', i)}",
                question=row.get("problem") or row["question"],
                reference=str(int(str(row["answer"]).strip())),
                metadata={"year": self.year},
            )
            for i, row in enumerate(rows)
        ]

    def verify_batch(self, pairs: list[tuple[Problem, str]]) -> list[Verdict]:
        verdicts = check_math([(c, p.reference) for p, c in pairs])
        return [integer_verdict(v, p.reference) for v, (p, _) in zip(verdicts, pairs, strict=True)]


@TASKS.register("aime24")
class AIME24(AIME):
    name = "aime24"
    year = 2024
    source = DataSource("aime24/test.jsonl", "Maxwell-Jia/AIME_2024", "train")


@TASKS.register("aime25")
class AIME25(AIME):
    name = "aime25"
    year = 2025
    source = DataSource("aime25/test.jsonl", "opencompass/AIME2025", "test")

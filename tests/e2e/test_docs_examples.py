"""Every SQL example of docs/journalists.md runs on the sample database and answers something.

A block whose SQL contains ``-- may return no rows`` only has to run.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.helpers.sample_data import sample_data  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e
DOC = Path(__file__).resolve().parents[2] / "docs" / "journalists.md"
BLOCK = re.compile(r"^\*\*(?P<question>[^*\n]+)\*\*\s*\n+```sql\n(?P<sql>.*?)```", re.M | re.S)


def examples() -> list[tuple[str, str]]:
    text = DOC.read_text("utf-8")
    found = [(m["question"].strip(), m["sql"]) for m in BLOCK.finditer(text)]
    # Every ```sql block is a question's answer: none is left out of the test by a formatting slip.
    assert len(found) == text.count("```sql"), "every ```sql block must follow a **bold question**"
    return found


def test_the_guide_answers_at_least_ten_questions():
    assert len(examples()) >= 10


@pytest.mark.parametrize(("question", "sql"), examples(), ids=[q[:60] for q, _ in examples()])
def test_example_runs_on_the_sample(sample_data, question, sql):  # noqa: F811 (fixture)
    # Read-only and without file access, as `guichets query` and `guichets shell` open it.
    config = {"enable_external_access": False, "lock_configuration": True}
    with duckdb.connect(str(sample_data / "warehouse" / "guichets.duckdb"), read_only=True, config=config) as con:
        rows = con.execute(sql).fetchall()
    if "-- may return no rows" not in sql:
        assert rows, f"no rows for: {question}"

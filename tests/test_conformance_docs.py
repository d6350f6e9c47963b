"""docs/conformance.md names real tests and files: every ``tests/...py::name`` is a test
function of that file, every ``tests/spec_cases/...yaml`` exists, and every table row names
a Sentry source, a sandbox test and a client behaviour."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "conformance.md"
TEXT = DOC.read_text(encoding="utf-8")
REFERENCES = sorted(set(re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", TEXT)))
CASES = sorted(set(re.findall(r"`(tests/spec_cases/[\w.]+\.yaml)`", TEXT)))


def _rows() -> list[list[str]]:
    rows = []
    for line in TEXT.splitlines():
        if not line.startswith("| ") or line.startswith(("| Rule", "|---")):
            continue
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_the_doc_names_tests_and_has_rows() -> None:
    assert len(REFERENCES) >= 20
    assert len(_rows()) >= 20


@pytest.mark.parametrize(("path", "name"), REFERENCES, ids=[f"{p}::{n}" for p, n in REFERENCES])
def test_each_named_test_exists(path: str, name: str) -> None:
    assert name.startswith("test_"), name
    assert (ROOT / path).is_file(), path
    assert name in _functions(ROOT / path), f"{path} has no function {name}"


@pytest.mark.parametrize("path", CASES)
def test_each_named_spec_case_exists(path: str) -> None:
    assert (ROOT / path).is_file(), path


def test_each_row_has_a_source_a_sandbox_test_and_a_client_behaviour() -> None:
    for rule, source, sandbox, client in _rows():
        assert rule
        assert client, rule
        assert re.search(r"`[\w/]+\.py`", source), f"no Sentry source path: {rule}"
        assert "::test_" in sandbox, f"no sandbox test: {rule}"

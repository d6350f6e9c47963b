"""The corpus of broken files: each yields its expected message at its expected line.

A case file marks each expected problem on its line: ``# expect error: <text>`` or
``# expect warning: <text>``. ``# schema: invalid`` says the JSON Schema must reject it too.
Errors are matched exactly (no unexpected error may appear); warnings must be present.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from para_monitor_cli.spec import check_spec, load_spec
from para_monitor_cli.spec.rules import RULES
from para_monitor_cli.spec.schema import json_schema

CASES = Path(__file__).parent / "spec_cases"
ROOT = Path(__file__).parent.parent
CASE_FILES = sorted(CASES.glob("*.yaml"))
EXPECT = re.compile(r"#\s*expect (error|warning): (.+?)\s*$")


def expectations(path: Path) -> list[tuple[int, str, str]]:
    found = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found.append((number, match.group(1), match.group(2)))
    return found


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: p.stem)
def test_case_yields_expected_problems_at_expected_lines(case: Path) -> None:
    expected = expectations(case)
    assert expected, f"{case.name} declares no expected problem"
    spec, problems = check_spec(case)
    got = [(p.line, p.severity, p.message) for p in problems]
    for line, severity, text in expected:
        rule = re.search(r" (\[[A-Z]\d+\])$", text)
        wanted = text[: rule.start()] if rule else text
        assert any(
            (pl, ps) == (line, severity) and wanted in pm and (not rule or pm.endswith(rule[1]))
            for pl, ps, pm in got
        ), f"{case.name}: expected {severity} {text!r} at line {line}; got {got}"
    expected_errors = [e for e in expected if e[1] == "error"]
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == len(expected_errors), f"{case.name}: unexpected errors {got}"
    assert (spec is None) == bool(expected_errors)
    for problem in problems:
        assert problem.file == str(case)
        assert problem.column is not None or "YAML" in problem.message or problem.line is None


def test_every_rule_has_a_case() -> None:
    covered = {m for case in CASE_FILES for m in re.findall(r"\[([A-Z]\d+)\]", case.read_text())}
    assert set(RULES) <= covered, f"rules without a broken file: {sorted(set(RULES) - covered)}"


@pytest.fixture(scope="session")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_accepts_the_repo_file(validator: jsonschema.Draft202012Validator) -> None:
    data = yaml.safe_load((ROOT / "alert_rules.yaml").read_text())
    assert list(validator.iter_errors(data)) == []


SCHEMA_CASES = [c for c in CASE_FILES if "# schema: invalid" in c.read_text()]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda p: p.stem)
def test_schema_rejects_the_schema_errors(
    case: Path, validator: jsonschema.Draft202012Validator
) -> None:
    data = yaml.safe_load(case.read_text())
    assert list(validator.iter_errors(data)), f"the JSON Schema accepted {case.name}"


def test_schema_cases_are_many() -> None:
    assert len(SCHEMA_CASES) >= 15


def test_committed_schema_is_in_sync() -> None:
    committed = json.loads((ROOT / "alert_rules.schema.json").read_text())
    assert committed == json_schema(), "run: para-monitor schema > alert_rules.schema.json"


def test_repo_file_points_editors_at_the_schema() -> None:
    first = (ROOT / "alert_rules.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=./alert_rules.schema.json"


def test_repo_file_is_clean() -> None:
    spec, problems = check_spec(ROOT / "alert_rules.yaml")
    assert spec is not None
    assert problems == []
    assert load_spec(ROOT / "alert_rules.yaml") == spec

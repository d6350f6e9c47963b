"""The C YAML parser (when installed) reads alert_rules.yaml exactly as the pure-Python one:
the same data and the same line and column for every key and value; a file with a problem is
read again with the pure-Python loader, so the messages are that loader's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from para_monitor_cli.spec import loader

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "alert_rules.yaml", *sorted((ROOT / "tests" / "spec_cases").rglob("*.yaml"))]

pytestmark = pytest.mark.skipif(
    getattr(yaml, "CSafeLoader", None) is None,
    reason="this PyYAML was built without libyaml: there is no C parser to compare",
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_c_parser_gives_the_same_data_marks_and_problems(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = loader.read_document(text, path.name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loader, "_FastLoader", yaml.SafeLoader)  # PyYAML without libyaml
        pure = loader.read_document(text, path.name)
    assert fast[0] == pure[0]
    assert fast[1].values == pure[1].values
    assert fast[1].keys == pure[1].keys
    assert fast[2] == pure[2]


def test_the_repository_file_is_read_by_the_c_parser() -> None:
    text = (ROOT / "alert_rules.yaml").read_text(encoding="utf-8")
    fast = loader._read_fast(text, "alert_rules.yaml")
    assert fast is not None
    assert fast == loader.read_document(text, "alert_rules.yaml")
    # a file libyaml refuses is read again by the pure-Python loader, whose messages are kept
    bad = "version: 1\nmonitors: [unclosed\n"
    assert loader._read_fast(bad, "bad.yaml") is None
    problems = loader.read_document(bad, "bad.yaml")[2]
    assert problems
    assert problems[0].line is not None

"""`para-monitor schema` is editor hover text: no developer markup or internal wording."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from para_monitor_cli.spec.schema import json_schema, user_description

ROOT = Path(__file__).resolve().parent.parent

# reStructuredText literals and roles, the wire/model vocabulary of the docstrings, references
# to issues or to the Python model
INTERNAL = re.compile(
    r"``|:[a-z]+:`|\bwire\b|\bdetector body\b|\bworkflow body\b|\bspec\.\w|\bissue \d|"
    r"\bheld in\b|\bSpec\b|\bdataSources\b|\bconditionGroup\b|\bconditionResult\b",
    re.IGNORECASE,
)


def descriptions(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "title") and isinstance(value, str):
                yield f"{path}/{key}", value
            else:
                yield from descriptions(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from descriptions(item, f"{path}[{index}]")


@pytest.mark.parametrize(
    "schema",
    [json_schema(), json.loads((ROOT / "alert_rules.schema.json").read_text(encoding="utf-8"))],
    ids=["para-monitor schema", "alert_rules.schema.json"],
)
def test_no_internal_markup_in_any_description(schema: dict[str, Any]) -> None:
    found = list(descriptions(schema))
    assert len(found) > 50
    leaks = [(where, text) for where, text in found if INTERNAL.search(text)]
    assert not leaks, leaks
    # every object of the file says what it is
    for name, definition in schema["$defs"].items():
        assert definition.get("description"), name


def test_docstring_markup_is_turned_into_user_text() -> None:
    text = (
        "A thing (issue 3).\n\nWire (detector body): ``dataSources[0]`` = :attr:`window`.\n\n"
        "Write ``condition: x > 1`` or see :class:`~para_monitor_cli.spec.model.Spec`;\n"
        "default: spec.project"
    )
    assert user_description(text) == (
        "A thing.\n\nWrite `condition: x > 1` or see `para_monitor_cli.spec.model.Spec`; "
        "default: the file's `project:`"
    )

"""The layering written in docs/architecture.md is the one import-linter enforces."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "para_monitor_cli."


def _layer(entry: str) -> str:
    """``"para_monitor_cli.runtime | para_monitor_cli.reconcile"`` -> ``(runtime | reconcile)``."""
    names = [part.strip().removeprefix(PACKAGE) for part in entry.split("|")]
    return names[0] if len(names) == 1 else f"({' | '.join(names)})"


def enforced() -> tuple[str, str]:
    """(the layers line built from the contract's layers, the contract's name)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [layers] = [c for c in contracts if c["type"] == "layers"]
    return " -> ".join(_layer(entry) for entry in layers["layers"]), layers["name"]


def documented() -> str:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    [line] = re.findall(r"^\s*Layers: (.+)$", text, re.M)
    return line.strip()


def test_the_documented_layers_are_the_enforced_ones() -> None:
    line, name = enforced()
    assert line.startswith("cli -> render -> ")  # parsed, not empty
    assert documented() == line
    assert name == f"Layers: {line}"


def test_the_readme_points_at_the_documented_layering() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
    assert "-> api -> spec/scrub" not in readme  # no second, older copy of the line

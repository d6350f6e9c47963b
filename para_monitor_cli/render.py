"""Everything that leaves the program as text goes through here.

Data goes to stdout, diagnostics to stderr, each through its own Rich console. Every string is
redacted on the way out, so a token or DSN key can never be printed by accident.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from para_monitor_cli.redaction import redact


class Output:
    """The two consoles and the output format chosen with --output."""

    def __init__(self, fmt: str = "text", *, stdout: Any = None, stderr: Any = None) -> None:
        self.format = fmt
        self.out = Console(file=stdout or sys.stdout, highlight=False, soft_wrap=True)
        self.err = Console(file=stderr or sys.stderr, highlight=False, soft_wrap=True)

    @property
    def json(self) -> bool:
        return self.format == "json"

    def line(self, text: str, style: str | None = None) -> None:
        """One line of data on stdout."""
        self.out.print(Text(redact(text), style=style or ""))

    def note(self, text: str, style: str | None = None) -> None:
        """One line of diagnostics on stderr."""
        self.err.print(Text(redact(text), style=style or ""))

    def warning(self, text: str) -> None:
        self.note(f"warning: {text}", style="yellow")

    def error(self, text: str) -> None:
        self.note(f"error: {text}", style="bold red")

    def emit_json(self, data: Any) -> None:
        """A JSON document on stdout (redacted, stable key order)."""
        text = json.dumps(data, indent=2, sort_keys=True, default=str)
        self.out.file.write(redact(text) + "\n")
        self.out.file.flush()

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        table = Table(*headers, show_edge=False, box=None, pad_edge=False)
        for row in rows:
            table.add_row(*(redact(cell) for cell in row))
        self.out.print(table)


def settings_rows(rows: Iterable[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"name": n, "value": v, "source": s} for n, v, s in rows]


def show_settings(output: Output, rows: list[tuple[str, str, str]]) -> None:
    if output.json:
        output.emit_json({"settings": settings_rows(rows)})
    else:
        output.table(["setting", "value", "source"], rows)

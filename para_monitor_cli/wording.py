"""Small helpers for the sentences commands print (a leaf: imports nothing of the package)."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 check``, ``2 checks``, ``0 checks``; ``many`` for irregular plurals."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"

"""Option parsing that several commands share (commands never import each other)."""

from __future__ import annotations

from collections.abc import Iterable


def split_fields(values: Iterable[str]) -> tuple[str, ...]:
    """Repeatable, comma-separated names (``--sensitive-field a,b --sensitive-field c``) ->
    ``("a", "b", "c")``: stripped, empty pieces dropped, order kept."""
    fields: list[str] = []
    for value in values:
        fields += [f.strip() for f in value.split(",") if f.strip()]
    return tuple(fields)

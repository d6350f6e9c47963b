"""Fake secrets planted in the test events, and the search for them in what was stored.

Each run plants fresh random values, so finding one in a stored event can only mean that the
value went through the SDK pipeline unscrubbed. The values are obviously fake (``pmfake``
prefix) and are never printed: a leak is reported by JSON path and planted location, with the
value masked.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

FAKE_PREFIX = "pmfake"
MASK = "****"


@dataclass(frozen=True)
class PlantedSecret:
    """One fake secret: where it is planted (``place``), under which key, and its value.

    ``core`` is the random part; finding it anywhere (even inside a longer string, or with the
    prefix cut off) counts as a leak.
    """

    place: str  # "header", "body", "frame_local", "breadcrumb", "span_data"
    key: str
    value: str
    core: str


@dataclass(frozen=True)
class PlantedSecrets:
    """The set planted in one run."""

    header: PlantedSecret
    body: PlantedSecret
    frame_local: PlantedSecret
    breadcrumb: PlantedSecret
    span_data: PlantedSecret

    def all(self) -> tuple[PlantedSecret, ...]:
        return (self.header, self.body, self.frame_local, self.breadcrumb, self.span_data)

    def values(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.all())


def _core() -> str:
    return secrets.token_hex(16)


def plant() -> PlantedSecrets:
    """A fresh set of fake secrets, each shaped like what it imitates."""
    header_core, body_core, local_core, crumb_core, span_core = (_core() for _ in range(5))
    return PlantedSecrets(
        header=PlantedSecret(
            "header", "Authorization", f"Bearer {FAKE_PREFIX}_{header_core}", header_core
        ),
        body=PlantedSecret("body", "password", f"{FAKE_PREFIX}-pw-{body_core}", body_core),
        frame_local=PlantedSecret(
            "frame_local", "api_key", f"sk-{FAKE_PREFIX}-{local_core}", local_core
        ),
        breadcrumb=PlantedSecret(
            "breadcrumb", "token", f"{FAKE_PREFIX}_tok_{crumb_core}", crumb_core
        ),
        span_data=PlantedSecret(
            "span_data", "db.password", f"{FAKE_PREFIX}-db-{span_core}", span_core
        ),
    )


@dataclass(frozen=True)
class Leak:
    """A planted secret found in a stored event, by JSON path (the value is never kept)."""

    path: str
    place: str
    key: str

    def describe(self) -> str:
        return f"{self.path}: the planted {self.place} secret ({self.key}) was not scrubbed"


def find_leaks(document: Any, planted: PlantedSecrets | tuple[PlantedSecret, ...]) -> list[Leak]:
    """Every place in ``document`` (any JSON-like value) where a planted secret appears.

    Both values and mapping keys are searched; a secret counts as found when its random core
    occurs anywhere in the string.
    """
    items = planted.all() if isinstance(planted, PlantedSecrets) else planted
    leaks: list[Leak] = []
    seen: set[tuple[str, str]] = set()
    for path, text in _strings(document, "$"):
        for secret in items:
            if secret.core in text and (path, secret.core) not in seen:
                seen.add((path, secret.core))
                leaks.append(Leak(path=_mask(path, items), place=secret.place, key=secret.key))
    return leaks


def _mask(path: str, items: tuple[PlantedSecret, ...]) -> str:
    """A path never shows a secret, even when the secret is a mapping key."""
    for secret in items:
        path = path.replace(secret.value, MASK).replace(secret.core, MASK)
    return path


def _strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            child = f"{path}.{key}" if _plain_key(str(key)) else f"{path}[{str(key)!r}]"
            yield child + "<key>", str(key)
            yield from _strings(value, child)
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _strings(value, f"{path}[{index}]")
    elif isinstance(node, bytes):
        yield path, node.decode("utf-8", "replace")


def _plain_key(key: str) -> bool:
    return key.replace("_", "a").replace("-", "a").isalnum()

"""The registry of resource kinds (client side): one module per kind, found, not listed.

Every module of this package that exports ``KIND`` (a
:class:`~para_monitor_cli.kinds.base.ResourceKind`) is a kind; the others (``base``,
``targets``, ``legacy``) are helpers. The order in which kinds are written comes from their
declared dependencies (``depends_on``: an alert links monitors, so monitors are written first
and deleted last), ties broken by ``order``; plan, apply, state, export, render and the checks
loop over :func:`registry` and never name a kind. Adding a kind is adding its module (see
docs/architecture.md for the other files: its spec section, its sandbox module, their tests).

Importing this package imports no kind module: :func:`registry` discovers them on first use,
so ``para-monitor --help`` stays light.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from para_monitor_cli.kinds.base import ResourceKind


class Registry:
    """The kinds of one run, in write order (dependencies first)."""

    def __init__(self, kinds: Iterable[ResourceKind]) -> None:
        found = list(kinds)
        names = [k.name for k in found]
        if len(set(names)) != len(names):
            raise ValueError(f"two resource kinds share a name: {sorted(names)}")
        self.kinds: tuple[ResourceKind, ...] = tuple(_ordered(found, reverse=False))
        self.delete_order: tuple[ResourceKind, ...] = tuple(_ordered(found, reverse=True))
        self._by_name = {k.name: k for k in found}

    def __iter__(self) -> Iterator[ResourceKind]:
        return iter(self.kinds)

    def __len__(self) -> int:
        return len(self.kinds)

    def get(self, name: str) -> ResourceKind:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no resource kind {name!r} (known: {sorted(self._by_name)})") from None

    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)

    def write_rank(self, name: str) -> int:
        return self.kinds.index(self.get(name))

    def delete_rank(self, name: str) -> int:
        return self.delete_order.index(self.get(name))

    def group(self, check_group: str) -> tuple[ResourceKind, ...]:
        """The kinds one check-setup drift check covers, in write order."""
        return tuple(k for k in self.kinds if k.check_group == check_group)

    def with_kind(self, kind: ResourceKind) -> Registry:
        """A registry holding these kinds and ``kind`` (tests register throw-away kinds)."""
        return Registry([*self.kinds, kind])


def _ordered(kinds: Sequence[ResourceKind], *, reverse: bool) -> list[ResourceKind]:
    """Kinds in dependency order (``reverse``: dependents first, for deletes); among kinds no
    dependency orders, lower ``order`` first, then name."""
    names = {k.name for k in kinds}
    before: dict[str, set[str]] = {k.name: set() for k in kinds}
    for k in kinds:
        for dep in k.depends_on:
            if dep not in names:
                raise ValueError(f"kind {k.name!r} depends on unknown kind {dep!r}")
            if reverse:
                before[dep].add(k.name)
            else:
                before[k.name].add(dep)
    out: list[ResourceKind] = []
    placed: set[str] = set()
    while len(out) < len(kinds):
        ready = [k for k in kinds if k.name not in placed and before[k.name] <= placed]
        if not ready:
            raise ValueError("resource kinds depend on each other in a cycle")
        nxt = min(ready, key=lambda k: (k.order, k.name))
        out.append(nxt)
        placed.add(nxt.name)
    return out


def discover() -> Registry:
    """Import every module of this package and collect the ``KIND`` each exports."""
    found: list[ResourceKind] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if kind is not None:
            found.append(kind)
    return Registry(found)


class Loaded:
    """The registry in use (discovered on first use; a test may set another one for a while,
    e.g. ``monkeypatch.setattr(kinds.Loaded, "registry", registry().with_kind(...))``)."""

    registry: Registry | None = None


def registry() -> Registry:
    """The kinds of this program (discovered once)."""
    if Loaded.registry is None:
        Loaded.registry = discover()
    return Loaded.registry


__all__ = ["Loaded", "Registry", "discover", "registry"]

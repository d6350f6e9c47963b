"""The pure planner: desired vs actual resources -> an ordered Plan with field-level diffs.

Nothing here does I/O. Both sides arrive as :class:`Resource` objects whose ``fields`` are
already *canonical* (each kind's normaliser in ``kinds/`` turns what we would send and what
Sentry returns into one comparable shape), so re-reading what was written compares equal. The
planner names no kind: identity is :attr:`Resource.key`, order is the registry's
(``kinds/__init__.py``: dependencies first for writes, dependents first for deletes).

Identity is the resource's name: a monitor by (project, name), an alert by name within the
organization, a dashboard by title within the organization; monitors and dashboards also carry
their spec entry's key in the ownership marker (``Resource.tag``, see ``api/wire.py``), which
finds an entry's resource of ours that was renamed in Sentry. Only fields the desired side sets
are compared.

Several resources of ours with one identity (two applies that ran at once, a create whose answer
was lost and that was made again) are drift: the plan keeps the oldest (ours first, then the
lowest id: Sentry's ids grow with creation) and deletes the others (``Change.duplicate_of``), so
any two overlapping applies converge on the next run. Same-named resources that are not ours
are never deleted; a warning names them.

``prune`` deletes actual resources absent from the file only when they carry our
ownership marker, are not Sentry built-ins, and lie within the file's :class:`Scope`: the projects
the file names. Another team's file for another project of the same organization manages its own
resources with the same marker, so ours-marked resources outside the scope are left alone and
listed in a plan note, never deleted:

* a monitor is in scope when its project is;
* an alert (workflow) when every project it is linked to (through its monitors) is; an alert
  linked to no project acts organization-wide and is in scope only when the file itself defines
  an organization-wide alert or dashboard (``Scope.org_wide``);
* a dashboard when every project of its ``projects`` filter is; an all-projects dashboard (empty
  filter, or ``-1``) follows the organization-wide rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from para_monitor_cli.api.wire import resource_rank
from para_monitor_cli.kinds import registry
from para_monitor_cli.kinds.base import Kind, Resource

Action = Literal["create", "update", "delete", "noop"]

# Creates and updates run in the registry's order (dependencies first: alerts link monitors),
# deletes in its delete order (dependents first).
_ACTION_ORDER: dict[Action, int] = {"create": 0, "update": 0, "noop": 0, "delete": 1}


@dataclass(frozen=True)
class Scope:
    """What a file manages, for ``prune``: its projects, and whether it owns org-wide resources.

    ``org_wide`` is true when the file itself defines an organization-wide resource (an alert
    linked to no project, a dashboard over all projects); only then may ``prune`` delete such
    resources of ours.
    """

    projects: frozenset[str] = frozenset()
    org_wide: bool = False

    def covers(self, resource: Resource) -> bool:
        spans = resource.spans
        if not spans:
            return self.org_wide
        return spans <= self.projects

    @classmethod
    def of(cls, desired: Iterable[Resource]) -> Scope:
        """The scope the desired resources themselves span (used when none is given)."""
        projects: set[str] = set()
        org_wide = False
        for resource in desired:
            if resource.spans:
                projects |= resource.spans
            elif resource.project is None:  # an organization-scoped kind over all projects
                org_wide = True
        return cls(frozenset(projects), org_wide)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: a dotted path (``thresholds.high.value``), before and after."""

    path: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Change:
    """One planned change. ``diff``: the changed fields as the file writes them (from the
    resources' ``shown`` views); ``wire_diff``: the same change in the canonical (Sentry) form
    that decided it. Without shown views both are the canonical diff."""

    action: Action
    kind: Kind
    key: str
    desired: Resource | None = None
    actual: Resource | None = None
    diff: tuple[FieldChange, ...] = ()
    wire_diff: tuple[FieldChange, ...] = ()
    duplicate_of: str | None = None  # a delete of a duplicate: the id of the one kept

    @property
    def label(self) -> str:
        if self.duplicate_of is not None and self.actual is not None:
            return (
                f"duplicate {self.kind} {self.key!r} (id {self.actual.id}; "
                f"id {self.duplicate_of} is kept)"
            )
        return f"{self.kind} {self.key!r}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": self.action, "kind": self.kind, "name": self.key}
        if self.actual is not None and self.actual.id is not None:
            data["id"] = self.actual.id
        if self.duplicate_of is not None:
            data["duplicate_of"] = self.duplicate_of
        if self.action == "create" and self.desired is not None:
            data["fields"] = _jsonable(self.desired.view)
            data["wire_fields"] = _jsonable(self.desired.fields)
        if self.action == "update":
            data["diff"] = [c.to_json() for c in self.diff]
            data["wire_diff"] = [c.to_json() for c in self.wire_diff or self.diff]
        return data


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())  # how the plan was made (e.g. what --prune owns)

    @property
    def pending(self) -> tuple[Change, ...]:
        """Every change that writes (everything except no-ops)."""
        return tuple(c for c in self.changes if c.action != "noop")

    @property
    def has_drift(self) -> bool:
        return bool(self.pending)

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "delete": 0, "noop": 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.counts(),
            "drift": self.has_drift,
            "changes": [c.to_json() for c in self.changes],
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


def plan(
    desired: Iterable[Resource],
    actual: Iterable[Resource],
    *,
    prune: bool = False,
    scope: Scope | None = None,
) -> Plan:
    """Compare desired with actual and return the ordered changes.

    With ``prune``, ours-marked resources absent from the file are deleted only inside
    ``scope`` (default: the projects the desired resources span); the others are named in a note.
    """
    desired = list(desired)
    if scope is None:
        scope = Scope.of(desired)
    warnings: list[str] = []
    notes: list[str] = []
    wanted: dict[tuple[Kind, str], Resource] = {}
    for resource in desired:
        ident = (resource.kind, resource.key)
        if ident in wanted:
            warnings.append(f"{resource.label} is defined twice; the last definition wins")
        wanted[ident] = resource

    actual = list(actual)
    existing: dict[tuple[Kind, str], list[Resource]] = {}
    for resource in actual:
        existing.setdefault((resource.kind, resource.key), []).append(resource)
    # ours, renamed in Sentry: found by the entry key in the marker (a monitor in its project)
    tagged: dict[tuple[Kind, str | None, str], list[Resource]] = {}
    for resource in actual:
        if resource.tag and resource.managed and not resource.builtin:
            tagged.setdefault((resource.kind, resource.tag_scope, resource.tag), []).append(
                resource
            )
    claimed: set[int] = set()  # actual resources matched to a desired one (by identity)

    changes: list[Change] = []
    for ident, want in wanted.items():
        candidates = [r for r in existing.get(ident, []) if not r.builtin]
        if want.tag:
            for other in tagged.get((want.kind, want.tag_scope, want.tag), []):
                renamed = (other.kind, other.key) not in wanted
                if renamed and all(other is not c for c in candidates):
                    candidates.append(other)
        claimed.update(id(r) for r in candidates)
        if not candidates:
            changes.append(Change("create", want.kind, want.key, desired=want))
            continue
        have = _pick(candidates)
        strangers = [r for r in candidates if r is not have and not r.managed]
        if strangers:
            ids = ", ".join(str(r.id) for r in strangers)
            warnings.append(
                f"{want.label} also exists in Sentry without para-monitor's marker (id {ids}); "
                f"reconciling id {have.id} and leaving the others alone"
            )
        for dup in candidates:
            if dup is not have and dup.managed:
                changes.append(
                    Change("delete", dup.kind, want.key, actual=dup, duplicate_of=have.id)
                )
        wire_diff = diff_fields(want.fields, have.fields)
        # shown in the file's terms; the canonical diff when the views cannot tell the change
        diff = (diff_fields(want.view, have.view) or wire_diff) if wire_diff else ()
        if have.name != want.name:  # found by its entry key: renamed in Sentry
            name_change = (FieldChange("name", have.name, want.name),)
            wire_diff, diff = name_change + wire_diff, name_change + diff
        action: Action = "update" if wire_diff else "noop"
        changes.append(
            Change(
                action,
                want.kind,
                want.key,
                desired=want,
                actual=have,
                diff=diff,
                wire_diff=wire_diff,
            )
        )

    if prune:
        elsewhere: list[Resource] = []
        org_wide: list[Resource] = []
        for ident, group in existing.items():
            if ident in wanted:
                continue
            for have in group:
                if not have.managed or have.builtin or id(have) in claimed:
                    continue
                if scope.covers(have):
                    changes.append(Change("delete", have.kind, have.key, actual=have))
                elif have.spans:
                    elsewhere.append(have)
                else:
                    org_wide.append(have)
        notes.extend(_left_alone_notes(elsewhere, org_wide))
    else:
        absent = [
            have
            for ident, group in existing.items()
            if ident not in wanted
            for have in group
            if have.managed and not have.builtin and id(have) not in claimed and scope.covers(have)
        ]
        if absent:
            items = sorted(absent, key=_listed_order)
            count = f"{len(items)} resource{'s' if len(items) != 1 else ''}"
            notes.append(
                f"not in the file: {count} of para-monitor that --prune would delete: "
                + _listing([r.label for r in items])
            )
    changes.sort(key=_order)
    return Plan(tuple(changes), tuple(warnings), tuple(notes))


def _left_alone_notes(elsewhere: Sequence[Resource], org_wide: Sequence[Resource]) -> list[str]:
    """Plan notes naming the ours-marked resources ``prune`` keeps because they are not in scope."""
    notes: list[str] = []
    if elsewhere:
        items = sorted(elsewhere, key=_listed_order)
        listing = _listing([f"{r.label} ({', '.join(sorted(r.spans))})" for r in items])
        notes.append(
            f"left alone: {len(items)} resource{'s' if len(items) != 1 else ''} of para-monitor "
            f"in projects this file does not manage: {listing}"
        )
    if org_wide:
        items = sorted(org_wide, key=_listed_order)
        listing = _listing([r.label for r in items])
        notes.append(
            f"left alone: {len(items)} organization-wide resource{'s' if len(items) != 1 else ''} "
            "of para-monitor (alerts linked to no project, dashboards over all projects), as this "
            f"file defines none: {listing}"
        )
    return notes


def _listing(labels: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f", ... ({len(labels) - limit} more)" if len(labels) > limit else "")


def _pick(candidates: Sequence[Resource]) -> Resource:
    """Among resources of one identity prefer ours, then the oldest (lowest numeric id: Sentry's
    ids grow with creation)."""

    return min(candidates, key=lambda r: resource_rank(r.id or "", r.managed))


def _listed_order(resource: Resource) -> tuple[int, str]:
    return (registry().write_rank(resource.kind), resource.key)


def _order(change: Change) -> tuple[int, int, str]:
    kinds = registry()
    phase = _ACTION_ORDER[change.action]
    if change.action == "delete":
        within = kinds.delete_rank(change.kind)
    else:
        within = kinds.write_rank(change.kind)
    return (phase, within, change.key)


def diff_fields(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Field-level differences, for the fields ``desired`` sets (recursing into mappings)."""
    out: list[FieldChange] = []
    _diff(desired, actual, "", out)
    return tuple(out)


def _diff(want: Any, have: Any, path: str, out: list[FieldChange]) -> None:
    if isinstance(want, Mapping):
        if not isinstance(have, Mapping):
            out.append(FieldChange(path or "(resource)", have, _jsonable(want)))
            return
        for key in want:
            child = f"{path}.{key}" if path else str(key)
            _diff(want[key], have.get(key), child, out)
        return
    if isinstance(want, list | tuple):
        if (
            isinstance(have, list | tuple)
            and len(have) == len(want)
            and all(isinstance(x, Mapping) for x in want)
        ):
            for index, (w, h) in enumerate(zip(want, have, strict=True)):
                _diff(w, h, f"{path}[{index}]", out)
            return
        if not _equal(want, have):
            out.append(FieldChange(path, _jsonable(have), _jsonable(want)))
        return
    if not _equal(want, have):
        out.append(FieldChange(path, _jsonable(have), _jsonable(want)))


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (a == b and type(a) is type(b))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value

"""The interface every resource kind implements, and what the shared mechanisms hand it.

A *kind* (monitor, alert, dashboard, ...) is one module of this package exporting ``KIND``, an
instance of a :class:`ResourceKind` subclass. The kind supplies data and small functions; the
mechanisms that use them stay in one place each:

* ``reconcile/state.py`` reads every kind's list (and the lookups the kinds ask for), builds the
  :class:`~para_monitor_cli.api.wire.Directory`, decodes what was listed into :class:`Resource`
  objects and encodes the file's entries into desired ones;
* ``reconcile/plan.py`` diffs them (identity: :attr:`Resource.key`; order: the registry's,
  from each kind's :attr:`ResourceKind.depends_on`);
* ``reconcile/apply.py`` runs the phases and the create / re-read / duplicate handling, calling
  the kind's :meth:`~ResourceKind.create` / :meth:`~ResourceKind.update` /
  :meth:`~ResourceKind.delete` / :meth:`~ResourceKind.find`;
* ``commands/export.py`` writes each kind's :meth:`~ResourceKind.export` under its
  :attr:`~ResourceKind.section`;
* ``checks/remote.py`` groups drift by :attr:`~ResourceKind.check_group`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from para_monitor_cli.api.wire import (
    Directory,
    detector_is_managed,
    detector_rank,
    entry_key,
    marker_key,
)
from para_monitor_cli.errors import UsageError
from para_monitor_cli.spec.units import format_duration

if TYPE_CHECKING:
    from para_monitor_cli.api.client import Identity, SentryClient
    from para_monitor_cli.kinds.targets import TargetBook
    from para_monitor_cli.spec.model import Spec

JSON = dict[str, Any]
Kind = str  # a registered kind's name ("monitor", "alert", "dashboard", ...)
IdentityScope = Literal["project", "organization"]
#: The organization's lists a kind may need besides its own (``Directory`` is built from them).
Lookup = Literal["teams", "members", "integrations", "environments"]
#: A place in the file: the YAML path of an entry's field (``("monitors", 0, "project")``).
YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class EnvironmentRef:
    """An environment an entry names, for plan's pre-flight: where, and what happens in Sentry
    while the organization lacks it (``severity``: ``error`` when Sentry refuses the write)."""

    name: str
    path: YamlPath
    effect: str
    severity: Literal["error", "warning"] = "error"


T = TypeVar("T")


@dataclass(frozen=True)
class Resource:
    """One resource of some kind, desired (from the file) or actual (from Sentry).

    ``fields``: the canonical, comparable view. ``body``: for desired resources, the JSON to
    send (the kind may complete it at apply time, :meth:`ResourceKind.complete_body`). ``id``:
    Sentry's id for actual resources. ``managed``: carries our ownership marker. ``builtin``:
    Sentry's own object (default detectors, the prebuilt dashboard), never touched.

    ``project``: set for kinds whose identity is project-scoped (a monitor: its name within its
    project), None for organization-scoped ones. ``projects``: for those, the project slugs the
    resource spans (an alert's linked monitors' projects, a dashboard's filter); empty means
    organization-wide (all projects).

    ``shown``: the same fields in the file's language (``window: 10m``, ``thresholds.high:
    "> 2s"``, targets by name), for display only; the comparison uses ``fields``.
    """

    kind: Kind
    name: str
    fields: Mapping[str, Any]
    project: str | None = None
    id: str | None = None
    body: Mapping[str, Any] | None = None
    managed: bool = False
    builtin: bool = False
    projects: frozenset[str] = frozenset()
    shown: Mapping[str, Any] | None = None
    tag: str | None = None  # the spec entry's key (desired), or the one in our marker (actual)

    @property
    def view(self) -> Mapping[str, Any]:
        """What a plan shows: ``shown`` when known, else the canonical ``fields``."""
        return self.shown if self.shown is not None else self.fields

    @property
    def spans(self) -> frozenset[str]:
        """The projects this resource belongs to; empty when it is organization-wide."""
        if self.project is not None:
            return frozenset({self.project}) if self.project else frozenset()
        return self.projects

    @property
    def key(self) -> str:
        """Its identity within its kind: ``project/name`` when project-scoped, else the name."""
        return f"{self.project}/{self.name}" if self.project is not None else self.name

    @property
    def tag_scope(self) -> str | None:
        """Where an entry key is unique: the project, or the organization (None)."""
        return self.project

    @property
    def label(self) -> str:
        return f"{self.kind} {self.key!r}"


@dataclass
class Context:
    """What a kind reads besides its own entries or objects, for one run.

    ``spec``: the file (None when exporting); ``effective``: the file with the default project
    filled in; ``identity``: the user our token acts as (when read; alerts' ownership rule);
    ``cache``: per-run values a kind builds once (e.g. the alert's target names), see
    :meth:`memo`.
    """

    directory: Directory
    spec: Spec | None = None
    effective: Spec | None = None
    default_project: str | None = None
    identity: Identity | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, build: Callable[[], T]) -> T:
        if key not in self.cache:
            self.cache[key] = build()
        value: T = self.cache[key]
        return value


@dataclass
class ExportContext:
    """What export hands each kind: the directory, the targets collected so far, problems."""

    directory: Directory
    book: TargetBook
    problems: list[str] = field(default_factory=list)


class ResourceKind:
    """One kind of resource. Subclasses set the class attributes and the abstract methods.

    Data:

    * ``name`` (``"monitor"``), ``plural`` (``"monitors"``);
    * ``section``: the ``Spec`` attribute (and file section) holding its entries;
    * ``scope``: ``"project"`` (identity is the name within a project) or ``"organization"``;
    * ``depends_on``: kinds it links to; they are written before it and deleted after it;
    * ``order``: tie-break among kinds no dependency orders (lower first);
    * ``check_group``: the check-setup drift check that covers it (``"alerts"``, ...).
    """

    name: ClassVar[str]
    plural: ClassVar[str]
    section: ClassVar[str]
    scope: ClassVar[IdentityScope]
    depends_on: ClassVar[tuple[str, ...]] = ()
    order: ClassVar[int] = 100
    check_group: ClassVar[str]

    # ---------------------------------------------------------------- spec side
    def entries(self, spec: Spec) -> Sequence[Any]:
        """The file's entries of this kind (its spec section)."""
        return tuple(getattr(spec, self.section))

    def entry_name(self, entry: Any) -> str:
        """An entry's name in the file (its identity, with the project for project kinds)."""
        return str(entry.name)

    def lookups(self, spec: Spec | None) -> set[Lookup]:
        """The organization lists the kind needs to encode (``spec``) or decode (None) entries."""
        return set()

    def project_refs(self, spec: Spec, fallback: str | None) -> Iterator[tuple[str, YamlPath]]:
        """(project slug, where) for each project the entries name or fall back to
        (``fallback``: the file's ``project:``, else ``--project``); pre-flight checks each."""
        return iter(())

    def environment_refs(self, spec: Spec) -> Iterator[EnvironmentRef]:
        """Each environment the entries name; pre-flight checks the organization has it."""
        return iter(())

    def file_scope(self, spec: Spec) -> tuple[set[str], bool]:
        """(projects the file's entries of this kind span, whether one is organization-wide),
        ``spec`` with its default project filled in; for ``--prune`` (``reconcile.plan.Scope``)."""
        return set(), False

    def desired(self, ctx: Context) -> list[Resource]:
        """The file's entries as resources: names resolved to ids, body, canonical and shown."""
        raise NotImplementedError

    # ---------------------------------------------------------------- Sentry side
    def read(self, client: SentryClient, org: str) -> list[JSON]:
        """Every object of this kind in the organization (list endpoints, paginated)."""
        raise NotImplementedError

    def into_directory(self, directory: Directory, listed: Iterable[JSON]) -> None:
        """Remember what other kinds link to (a monitor's detectors); nothing by default."""

    def needs_identity(self, listed: Sequence[JSON], spec: Spec | None) -> bool:
        """Whether deciding ``managed`` takes knowing the token's identity (see alerts)."""
        return False

    def complete(
        self,
        client: SentryClient,
        org: str,
        listed: Sequence[JSON],
        *,
        wanted: set[str],
        everything: bool,
    ) -> list[JSON]:
        """The objects to decode, from the list (a kind whose list is partial fetches details:
        for the names in ``wanted``, or all with ``everything``)."""
        return [dict(item) for item in listed]

    def decode(self, obj: Mapping[str, Any], ctx: Context) -> Resource | None:
        """An actual resource from a listed object (None: Sentry's own, never managed)."""
        raise NotImplementedError

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        """An object in the file's form (an item of :attr:`section`), None to leave it out."""
        raise NotImplementedError

    def export_sort_key(self, item: Mapping[str, Any]) -> tuple[str, ...]:
        return (str(item.get("name")),)

    # ---------------------------------------------------------------- apply steps
    def complete_body(self, body: JSON, desired: Resource, directory: Directory) -> None:
        """Fill in what is known only at apply time (an alert's detector ids); in place."""

    def create(self, client: SentryClient, org: str, desired: Resource, body: JSON) -> Any:
        raise NotImplementedError

    def update(self, client: SentryClient, org: str, rid: str, body: JSON) -> Any:
        raise NotImplementedError

    def delete(self, client: SentryClient, org: str, rid: str) -> None:
        raise NotImplementedError

    def find(
        self, client: SentryClient, org: str, directory: Directory, desired: Resource
    ) -> Mapping[str, Any] | None:
        """The resource ``desired`` names if it exists now (after a create's unknown outcome):
        the one the next plan would keep, or None."""
        raise NotImplementedError

    def remember(self, saved: Any, directory: Directory) -> None:
        """Note a written object for later links (a monitor's new detector id)."""

    def __repr__(self) -> str:
        return f"<kind {self.name}>"


class ProjectKind(ResourceKind):
    """A kind whose entries each live in one project (``entry.project``, else the file's
    ``project:``, else ``--project``): monitors, cron monitors, uptime checks.

    Subclasses supply :meth:`encode` (the body to send), :meth:`canonical` (the comparable
    fields of a body or a listed object) and :meth:`show` (those fields in the file's words);
    this class turns the file's entries into desired resources and answers pre-flight's project
    and ``--prune`` scope questions the same way for all of them.
    """

    scope: ClassVar[IdentityScope] = "project"

    def encode(self, entry: Any, project: str, ctx: Context) -> JSON:
        """The create/update body for ``entry`` in ``project``."""
        raise NotImplementedError

    def canonical(self, obj: Mapping[str, Any]) -> JSON:
        """A body or a listed object in the comparable form."""
        raise NotImplementedError

    def show(self, fields: Mapping[str, Any], directory: Directory) -> JSON:
        """Comparable fields as the file writes them."""
        raise NotImplementedError

    def project_refs(self, spec: Spec, fallback: str | None) -> Iterator[tuple[str, YamlPath]]:
        for i, entry in enumerate(self.entries(spec)):
            slug = entry.project or fallback
            if slug:
                file_default: YamlPath = ("project",) if spec.project else (self.section, i)
                yield slug, (self.section, i, "project") if entry.project else file_default

    def file_scope(self, spec: Spec) -> tuple[set[str], bool]:
        return {p for e in self.entries(spec) if (p := e.project or spec.project)}, False

    def entry_project(self, entry: Any, ctx: Context) -> str:
        """The project ``entry`` lives in (known to the directory), or a usage error."""
        spec = ctx.spec
        assert spec is not None
        project: str | None = entry.project or spec.project or ctx.default_project
        if not project:
            raise UsageError(
                f"{self.name} {entry.name!r} has no project: set 'project:' in the file, "
                f"on the {self.name}, or pass --project"
            )
        ctx.directory.project_id(project)
        return project

    def desired(self, ctx: Context) -> list[Resource]:
        assert ctx.spec is not None
        out: list[Resource] = []
        for entry in self.entries(ctx.spec):
            project = self.entry_project(entry, ctx)
            body = self.encode(entry, project, ctx)
            fields = self.canonical(body)
            name = self.entry_name(entry)
            out.append(
                Resource(
                    kind=self.name,
                    name=name,
                    project=project,
                    fields=fields,
                    body=body,
                    managed=True,
                    shown=self.show(fields, ctx.directory),
                    tag=entry_key(self.name, name),
                )
            )
        return out

    def export_sort_key(self, item: Mapping[str, Any]) -> tuple[str, ...]:
        return (str(item.get("project")), str(item.get("name")))


class DetectorKind(ProjectKind):
    """A kind Sentry stores as a workflow-engine detector of one project (metric monitors,
    uptime checks): written through the detector endpoints (OrganizationDetectorIndexEndpoint,
    ProjectDetectorIndexEndpoint and OrganizationDetectorDetailsEndpoint in
    src/sentry/workflow_engine/endpoints/), named by ``name`` within the project, owned by
    the marker ending ``description``.

    ``detector_type``: the detector type :meth:`find` accepts after a create's unknown outcome
    (None: any type).
    """

    detector_type: ClassVar[str | None] = None

    def is_builtin(self, obj: Mapping[str, Any]) -> bool:
        """Whether a listed detector is Sentry's own (never decoded)."""
        return False

    def decode(self, obj: Mapping[str, Any], ctx: Context) -> Resource | None:
        if self.is_builtin(obj):
            return None
        fields = self.canonical(obj)
        return Resource(
            kind=self.name,
            name=str(obj.get("name")),
            project=ctx.directory.project_slug(str(obj.get("projectId"))),
            id=str(obj.get("id")),
            fields=fields,
            managed=detector_is_managed(obj),
            shown=self.show(fields, ctx.directory),
            tag=marker_key(obj.get("description")),
        )

    def create(self, client: SentryClient, org: str, desired: Resource, body: JSON) -> Any:
        assert desired.project is not None
        return client.create_detector(desired.project, body, org=org)

    def update(self, client: SentryClient, org: str, rid: str, body: JSON) -> Any:
        return client.update_detector(rid, body, org=org)

    def delete(self, client: SentryClient, org: str, rid: str) -> None:
        client.delete_detector(rid, org=org)

    def find(
        self, client: SentryClient, org: str, directory: Directory, desired: Resource
    ) -> Mapping[str, Any] | None:
        pid = directory.project_id(desired.project or "")
        mine = [
            det
            for det in client.detectors([pid], org=org)
            if (self.detector_type is None or det.get("type") == self.detector_type)
            and str(det.get("projectId")) == pid
            and detector_is_managed(det)
            and (
                det.get("name") == desired.name or marker_key(det.get("description")) == desired.tag
            )
        ]
        # another apply may have made one too: take the one the next plan keeps
        return min(mine, key=detector_rank) if mine else None

    def remember(self, saved: Any, directory: Directory) -> None:
        if isinstance(saved, Mapping):
            directory.add_detector(saved)


# --------------------------------------------------------------------------- shared helpers
def owner_lookups(owners: Iterable[str | None] | None) -> set[Lookup]:
    """The lists entries' ``owner`` (``team:…`` / ``user:…``) need: both to decode (None),
    else those the file's owners name."""
    if owners is None:
        return {"teams", "members"}
    return {"teams" if owner.startswith("team:") else "members" for owner in owners if owner}


def num(value: Any) -> Any:
    """A number as a float (so 1 and 1.0 compare equal); anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(value)


def shown_seconds(seconds: Any) -> Any:
    """Seconds in the file's units (``600`` -> ``10m``; 0 stays 0)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return seconds
    return format_duration(int(seconds)) if seconds else 0

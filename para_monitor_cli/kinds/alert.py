"""Alerts: Sentry's workflows (triggers, action filters with conditions and actions).

Spec link: ``Spec.alerts`` (``spec/model.py`` ``Alert``) and the ``targets:`` its actions name
(``kinds/targets.py``). Identity: the name within the organization (``scope =
"organization"``); a workflow has no free-text field for a marker, so it is ours when Sentry's
``createdBy`` is the user our token acts as (:func:`workflow_is_managed`, see ``api/wire.py``).
Depends on monitors, cron monitors and uptime checks: its ``detectorIds`` link their detectors
(:meth:`AlertKind.complete_body` fills them in at apply time), so those are written first and
deleted after. Lookups: teams, members and
integrations (the targets), environments. It spans the projects of the detectors it links.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from para_monitor_cli.api.wire import DEFAULT_ISSUE_DETECTOR_TYPES, Directory, resource_rank
from para_monitor_cli.errors import UsageError
from para_monitor_cli.kinds.base import (
    JSON,
    Context,
    EnvironmentRef,
    ExportContext,
    Lookup,
    Resource,
    ResourceKind,
    YamlPath,
    num,
    shown_seconds,
)
from para_monitor_cli.kinds.targets import ActionNames, TargetBook, canonical_action, target_action
from para_monitor_cli.spec import catalog
from para_monitor_cli.spec.model import (
    Alert,
    AlertFilter,
    EmailTarget,
    PagerDutyTarget,
    SlackTarget,
    Spec,
)
from para_monitor_cli.spec.units import format_duration

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient


# ``config.managedBy`` was our alert marker before real Sentry was found to refuse it; alerts that
# a sandbox kept with it are still recognised (nothing writes it any more).
LEGACY_MANAGED_BY = "para-monitor"


# Reverse views of the catalog's tables, for export (the catalog is the one source).
_ISSUE_PRIORITY_NAMES = {v: k for k, v in catalog.ISSUE_PRIORITIES.items()}
_CATEGORY_NAMES = {v: k for k, v in catalog.ISSUE_CATEGORIES.items()}
_TRIGGER_NAMES = {v: k for k, v in catalog.TRIGGER_TYPES.items()}
INTERVAL_NAMES = {v: k for k, v in catalog.FREQUENCY_INTERVALS.items()}
_LEVEL_NAMES = {v: k for k, v in catalog.LEVELS.items()}


def _filter_condition(item: AlertFilter) -> JSON:
    kind = item.kind
    if kind == "level" and item.level is not None:
        comparison: Any = {"level": item.level.value, "match": item.level.match}
        ctype = "level"
    elif kind in ("events", "users"):
        freq = item.events if kind == "events" else item.users
        assert freq is not None
        ctype = "event_frequency_count" if kind == "events" else "event_unique_user_frequency_count"
        comparison = {"value": freq.value, "interval": catalog.FREQUENCY_INTERVALS[freq.interval]}
    elif kind == "priority" and item.priority is not None:
        ctype = "issue_priority_greater_or_equal"
        comparison = catalog.ISSUE_PRIORITIES[item.priority]
    elif kind == "occurrences":
        ctype, comparison = "issue_occurrences", {"value": item.occurrences}
    elif kind == "category" and item.category is not None:
        ctype, comparison = "issue_category", {"value": catalog.ISSUE_CATEGORIES[item.category]}
    elif kind == "tag" and item.tag is not None:
        ctype = "tagged_event"
        comparison = {"key": item.tag.key, "match": item.tag.match}
        # TaggedEventConditionHandler.comparison_json_schema (workflow_engine/handlers/condition/
        # tagged_event_handler.py) is a oneOf: "is set" / "not set" take no value at all
        if item.tag.match not in ("is", "ns"):
            comparison["value"] = item.tag.value
    else:  # pragma: no cover - the model guarantees one known key
        raise UsageError(f"unknown alert filter {kind!r}")
    return {"type": ctype, "comparison": comparison, "conditionResult": True}


def alert_links(alert: Alert, spec: Spec, directory: Directory) -> list[str]:
    """Link keys (``project/name`` or ``project/@error``) of the detectors an alert watches."""
    keys: list[str] = []
    for name in alert.monitors:
        found = spec.linked(name)  # a metric monitor, a cron monitor or an uptime check
        if found is None:
            raise UsageError(
                f"alert {alert.name!r} links monitor {name!r}, not in monitors:, crons: or uptime:"
            )
        project, detector_name = found
        keys.append(f"{project}/{detector_name}")
    for project in spec.alert_projects(alert):
        directory.project_id(project)  # a clear error when the project does not exist
        keys.extend(f"{project}/@{kind}" for kind in DEFAULT_ISSUE_DETECTOR_TYPES)
    return sorted(set(keys))


def alert_body(alert: Alert, spec: Spec, directory: Directory) -> JSON:
    """The workflow body, without ``detectorIds`` (the applier adds them from the links).

    The environment is sent as ``environment``: its name, or null for every environment.
    How it reaches the server, in Sentry's source (src/sentry/workflow_engine/endpoints/
    validators/base/workflow.py, ``WorkflowValidator``):

    * the current validator, from which Sentry's official OpenAPI spec is generated
      (sentry-api-schema ``openapi-derefed.json``, 2026-08-16: the workflow create/update body),
      declares ``environment``: a nullable string, "The name of the environment for the alert
      to evaluate in", beside ``detector_ids`` and ``owner``, and no ``environment_id``; the
      name is looked up among the organization's environments (``EnvironmentField``,
      src/sentry/api/serializers/rest_framework/environment.py: "Environment is not part of
      this organization"), so it must exist (plan's pre-flight checks it);
    * the older validator in the searchable source index declared only
      ``environment_id = serializers.IntegerField(required=False, help_text="The name of the
      environment ...")  # TODO fix this, we pass the name, not the ID``, stored as
      ``Workflow.environment_id`` in ``create``; a serializer drops keys it does not declare,
      so an id-only body filters nothing on the current one (and a name-only body nothing on
      that older one). The current one is what sentry.io runs and what the spec documents.

    ``WorkflowSerializer`` (src/sentry/workflow_engine/endpoints/serializers/
    workflow_serializer.py) answers ``"environment": obj.environment.name if obj.environment
    else None``: the name, which :func:`canonical_workflow` compares.
    """
    trigger_conditions = [
        {"type": catalog.TRIGGER_TYPES[t], "comparison": True, "conditionResult": True}
        for t in alert.triggers
    ]
    group: JSON = {
        "logicType": alert.filter_match,
        "conditions": [_filter_condition(f) for f in alert.filters],
        "actions": [target_action(n, spec, directory) for n in alert.actions],
    }
    return {
        "name": alert.name,
        "enabled": alert.enabled,
        "environment": alert.environment,
        "config": {"frequency": alert.frequency_minutes},
        "triggers": {"logicType": "any-short", "conditions": trigger_conditions, "actions": []},
        "actionFilters": [group],
    }


def _canonical_conditions(conditions: Iterable[Mapping[str, Any]]) -> list[JSON]:
    items = [
        {"type": c.get("type"), "comparison": _num_deep(c.get("comparison"))} for c in conditions
    ]
    return sorted(items, key=lambda c: (str(c["type"]), repr(c["comparison"])))


def _num_deep(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _num_deep(v) for k, v in sorted(value.items())}
    return num(value)


def canonical_workflow(workflow: Mapping[str, Any], directory: Directory | None = None) -> JSON:
    """A workflow (request body or response) in the comparable form.

    ``monitors`` (sorted link keys) is filled from ``detectorIds`` when a directory is given;
    desired resources set it themselves from the file.
    """
    out: JSON = {}
    if "enabled" in workflow:
        out["enabled"] = bool(workflow["enabled"])
    if "environment" in workflow:  # the name, sent and answered alike (see alert_body)
        out["environment"] = workflow.get("environment") or None
    config = workflow.get("config")
    if isinstance(config, Mapping):
        out["frequency"] = int(config.get("frequency", 30))
    triggers = workflow.get("triggers")
    if "triggers" in workflow:
        conds = (triggers or {}).get("conditions") or []
        out["triggers"] = sorted(str(c.get("type")) for c in conds)
    filters = workflow.get("actionFilters", workflow.get("action_filters"))
    if filters is not None:
        groups = []
        for group in filters:
            actions = [canonical_action(a) for a in group.get("actions") or []]
            groups.append(
                {
                    "logic": filter_logic(group.get("logicType", group.get("logic_type"))),
                    "conditions": _canonical_conditions(group.get("conditions") or []),
                    "actions": sorted(actions, key=repr),
                }
            )
        out["actionFilters"] = groups
    if directory is not None and "detectorIds" in workflow:
        ids = workflow.get("detectorIds") or []
        out["monitors"] = sorted(directory.link_key(str(i)) for i in ids)
    return out


def filter_logic(logic: Any) -> str:
    """An action filter group's logic: ``any-short`` (which Sentry documents and its UI writes)
    stops at the first condition that passes, so it matches exactly what ``any`` matches
    (``DataConditionGroup.Type``, src/sentry/workflow_engine/models/data_condition_group.py)."""
    text = str(logic or "all")
    return "any" if text == "any-short" else text


def export_filter(cond: Mapping[str, Any]) -> JSON | None:
    ctype = cond.get("type")
    comparison = cond.get("comparison")
    if ctype == "level" and isinstance(comparison, Mapping):
        op = {"gte": ">=", "lte": "<=", "eq": "=="}.get(str(comparison.get("match")), ">=")
        level = _LEVEL_NAMES.get(int(comparison.get("level", 40)), "error")
        return {"level": f"{op} {level}"}
    if ctype in ("event_frequency_count", "event_unique_user_frequency_count") and isinstance(
        comparison, Mapping
    ):
        seconds = INTERVAL_NAMES.get(str(comparison.get("interval")))
        if seconds is None:  # not one of Sentry's intervals: never guessed as another one
            return None
        key = "events" if ctype == "event_frequency_count" else "users"
        return {key: f"> {int(comparison.get('value', 0))} in {format_duration(seconds)}"}
    if ctype == "issue_priority_greater_or_equal":
        value = int(comparison or catalog.ISSUE_PRIORITIES["high"])
        name = _ISSUE_PRIORITY_NAMES.get(value, "high")
        return {"priority": f">= {name}"}
    if ctype == "issue_occurrences" and isinstance(comparison, Mapping):
        return {"occurrences": int(comparison.get("value", 1))}
    if ctype == "issue_category" and isinstance(comparison, Mapping):
        category = _CATEGORY_NAMES.get(int(comparison.get("value", 1)))
        return {"category": category} if category else None
    if ctype == "tagged_event" and isinstance(comparison, Mapping):
        tag: JSON = {"key": comparison.get("key"), "match": comparison.get("match", "eq")}
        if tag["match"] not in ("is", "ns"):
            tag["value"] = comparison.get("value", "")
        return {"tag": tag}
    return None


def export_workflow(
    workflow: Mapping[str, Any], directory: Directory, book: TargetBook, problems: list[str]
) -> JSON:
    """A workflow as an ``alerts:`` item (targets collected in ``book``)."""
    name = str(workflow.get("name"))
    out: JSON = {"name": name}
    if workflow.get("enabled") is False:
        out["enabled"] = False
    if workflow.get("environment"):
        out["environment"] = workflow["environment"]
    triggers = []
    for cond in (workflow.get("triggers") or {}).get("conditions") or []:
        trigger = _TRIGGER_NAMES.get(str(cond.get("type")))
        if trigger:
            triggers.append(trigger)
        else:
            problems.append(f"alert {name!r}: trigger {cond.get('type')!r} cannot be exported")
    if triggers:
        out["triggers"] = triggers
    monitors: list[str] = []
    projects: list[str] = []
    for did in workflow.get("detectorIds") or []:
        key = directory.link_key(str(did))
        project, _, rest = key.partition("/")
        if rest.startswith("@"):
            if project not in projects:
                projects.append(project)
        elif rest:
            monitors.append(rest)
        else:  # a detector the token does not see: the file cannot name it
            problems.append(
                f"alert {name!r}: linked to monitor {did}, which this token cannot read; left out"
            )
    if monitors:
        out["monitors"] = sorted(set(monitors))
    if projects:
        out["projects"] = projects
    filters: list[JSON] = []
    actions: list[str] = []
    groups = workflow.get("actionFilters") or []
    for group in groups:
        logic = filter_logic(group.get("logicType"))
        if logic != "all":
            out["filter_match"] = logic
        for cond in group.get("conditions") or []:
            item = export_filter(cond)
            if item is None:
                problems.append(f"alert {name!r}: filter {cond.get('type')!r} cannot be exported")
            else:
                filters.append(item)
        for action in group.get("actions") or []:
            target = book.name_for(action)
            if target is None:
                problems.append(
                    f"alert {name!r}: a {action.get('type')} action names a destination "
                    "that cannot be resolved; left out"
                )
            elif target not in actions:
                actions.append(target)
    if filters:
        out["filters"] = filters
    if actions:
        out["actions"] = actions
    frequency = int((workflow.get("config") or {}).get("frequency", 30))
    if frequency != 30:
        out["frequency"] = format_duration(frequency * 60) if frequency else 0
    return out


def _shown_link(key: str) -> tuple[str | None, str | None]:
    """A link key -> (monitor name, None) or (None, project of a default issue detector)."""
    project, _, rest = key.partition("/")
    if rest.startswith("@"):
        return None, project
    return (rest or key), None


def shown_workflow(fields: Mapping[str, Any], names: ActionNames) -> JSON:
    """An alert's canonical fields in the file's terms: ``frequency: 1h``, ``triggers:
    [first_seen]``, ``filters[0].level: ">= fatal"``, ``actions: [slack-alerts]``,
    ``monitors`` by name and ``projects`` for the default issue detectors."""
    out: JSON = {}
    for key, value in fields.items():
        if key == "frequency" and isinstance(value, int | float):
            out[key] = shown_seconds(int(value) * 60)
        elif key == "triggers" and isinstance(value, list):
            out[key] = [_TRIGGER_NAMES.get(str(t), str(t)) for t in value]
        elif key == "actionFilters" and isinstance(value, list):
            groups = [g for g in value if isinstance(g, Mapping)]
            out["filter_match"] = groups[0].get("logic") if groups else "all"
            filters: list[Any] = []
            actions: list[str] = []
            for group in groups:
                for cond in group.get("conditions") or []:
                    filters.append(export_filter(cond) or dict(cond))
                actions.extend(names(a) for a in group.get("actions") or [])
            out["filters"] = filters
            out["actions"] = sorted(actions)
        elif key == "monitors" and isinstance(value, list):
            links = [_shown_link(str(k)) for k in value]
            out["monitors"] = sorted({m for m, _ in links if m is not None})
            out["projects"] = sorted({p for _, p in links if p is not None})
        else:
            out[key] = value
    return out


def workflow_is_managed(workflow: Mapping[str, Any], identity: str | None) -> bool:
    """Ours when created by ``identity`` (the user id our token acts as), or legacy-marked."""
    created_by = workflow.get("createdBy")
    if identity is not None and created_by is not None and str(created_by) == identity:
        return True
    config = workflow.get("config")
    return isinstance(config, Mapping) and config.get("managedBy") == LEGACY_MANAGED_BY


def workflow_projects(workflow: Mapping[str, Any], directory: Directory) -> frozenset[str]:
    """Slugs of the projects a workflow is linked to, through its ``detectorIds``.

    Empty when it is linked to nothing (organization-wide). A detector the directory does not
    know (not listed for this token) counts as a project of its own that no file names, so such
    an alert is never taken to lie within a file's scope.
    """
    projects: set[str] = set()
    for did in workflow.get("detectorIds") or []:
        pid = directory.detector_projects.get(str(did))
        projects.add(directory.project_slug(pid) if pid else f"(project of detector {did})")
    return frozenset(projects)


def detector_ids(keys: Sequence[str], directory: Directory) -> list[int]:
    """The detector ids of an alert's link keys (``project/name``, ``project/@error``)."""
    ids: list[int] = []
    for key in keys:
        project, _, name = key.partition("/")
        pid = directory.project_id(project)
        if name.startswith("@"):
            kind = name[1:]
            found = [
                int(d)
                for d in directory.default_detectors.get(pid, [])
                if directory.detector_keys.get(d) == key
            ]
            if not found:
                raise UsageError(
                    f"project {project!r} has no default {kind!r} issue monitor in Sentry"
                )
            ids.extend(found)
        else:
            did = directory.detectors.get((pid, name))
            if did is None:
                raise UsageError(f"monitor {name!r} does not exist in project {project!r}")
            ids.append(int(did))
    return sorted(set(ids))


def _action_names(ctx: Context) -> ActionNames:
    return ctx.memo("alert.action_names", lambda: ActionNames(ctx.directory, ctx.spec))


class AlertKind(ResourceKind):
    name = "alert"
    plural = "alerts"
    section = "alerts"
    scope = "organization"
    depends_on = ("monitor", "cron monitor", "uptime check")
    order = 1
    check_group = "alerts"

    def lookups(self, spec: Spec | None) -> set[Lookup]:
        if spec is None:
            return {"teams", "members", "integrations"}
        targets = spec.targets.values()
        needs: set[Lookup] = set()
        if any(isinstance(t, EmailTarget) and t.team for t in targets):
            needs.add("teams")
        if any(isinstance(t, EmailTarget) and t.member for t in targets):
            needs.add("members")
        if any(isinstance(t, SlackTarget | PagerDutyTarget) for t in targets):
            needs.add("integrations")
        if any(a.environment for a in spec.alerts):
            needs.add("environments")
        return needs

    def project_refs(self, spec: Spec, fallback: str | None) -> Iterator[tuple[str, YamlPath]]:
        for i, alert in enumerate(spec.alerts):
            if alert.projects is not None:
                for k, slug in enumerate(alert.projects):
                    yield slug, ("alerts", i, "projects", k)
            elif alert.watches_issues and fallback:
                yield fallback, ("project",) if spec.project else ("alerts", i)

    def environment_refs(self, spec: Spec) -> Iterator[EnvironmentRef]:
        for i, alert in enumerate(spec.alerts):
            if alert.environment:
                where = ("alerts", i, "environment")
                yield EnvironmentRef(alert.environment, where, "Sentry refuses an alert on it")

    def file_scope(self, spec: Spec) -> tuple[set[str], bool]:
        projects: set[str] = set()
        org_wide = False
        for alert in spec.alerts:
            linked = set(spec.alert_projects(alert))
            for name in alert.monitors:
                found = spec.linked(name)
                if found is not None and found[0]:
                    linked.add(found[0])
            projects |= linked
            org_wide = org_wide or not linked
        return projects, org_wide

    def desired(self, ctx: Context) -> list[Resource]:
        effective = ctx.effective
        assert effective is not None
        names = _action_names(ctx)
        out: list[Resource] = []
        for alert in effective.alerts:
            body = alert_body(alert, effective, ctx.directory)
            fields = canonical_workflow(body, ctx.directory)
            links = alert_links(alert, effective, ctx.directory)
            fields["monitors"] = links
            out.append(
                Resource(
                    kind=self.name,
                    name=alert.name,
                    fields=fields,
                    body=body,
                    managed=True,
                    projects=frozenset(key.partition("/")[0] for key in links),
                    shown=shown_workflow(fields, names),
                )
            )
        return out

    def read(self, client: SentryClient, org: str) -> list[JSON]:
        return client.workflows(org=org)

    def needs_identity(self, listed: Sequence[JSON], spec: Spec | None) -> bool:
        """Two alerts share a name (the planner must pick ours), or Sentry holds alerts absent
        from the file (the plan names ours among them: what --prune would delete)."""
        names = [str(wf.get("name")) for wf in listed]
        wanted = {a.name for a in spec.alerts} if spec is not None else set()
        return len(set(names)) < len(names) or (
            spec is not None and any(name not in wanted for name in names)
        )

    def decode(self, obj: Mapping[str, Any], ctx: Context) -> Resource | None:
        fields = canonical_workflow(obj, ctx.directory)
        identity = ctx.identity.id if ctx.identity is not None else None
        return Resource(
            kind=self.name,
            name=str(obj.get("name")),
            id=str(obj.get("id")),
            fields=fields,
            managed=workflow_is_managed(obj, identity),
            projects=workflow_projects(obj, ctx.directory),
            shown=shown_workflow(fields, _action_names(ctx)),
        )

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        return export_workflow(obj, ctx.directory, ctx.book, ctx.problems)

    def complete_body(self, body: JSON, desired: Resource, directory: Directory) -> None:
        body["detectorIds"] = detector_ids(desired.fields.get("monitors", []), directory)

    def create(self, client: SentryClient, org: str, desired: Resource, body: JSON) -> Any:
        return client.create_workflow(body, org=org)

    def update(self, client: SentryClient, org: str, rid: str, body: JSON) -> Any:
        return client.update_workflow(rid, body, org=org)

    def delete(self, client: SentryClient, org: str, rid: str) -> None:
        client.delete_workflow(rid, org=org)

    def find(
        self, client: SentryClient, org: str, directory: Directory, desired: Resource
    ) -> Mapping[str, Any] | None:
        # The plan saw no alert of this name, so one that exists now appeared since: ours
        # when Sentry says our identity created it (or, with no identity, by name alone).
        identity = client.identity()
        found = [
            wf
            for wf in client.workflows(org=org)
            if wf.get("name") == desired.name
            and (identity is None or workflow_is_managed(wf, identity.id))
        ]
        return min(found, key=_oldest) if found else None


def _oldest(resource: Mapping[str, Any]) -> tuple[int, int, str]:
    return resource_rank(str(resource.get("id", "")), True)


KIND = AlertKind()

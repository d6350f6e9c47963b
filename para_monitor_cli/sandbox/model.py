"""What the resource modules' stored documents share: scopes, organization features, the
integration providers, timestamps and ids, and the organization's environments (read by the
validation context).

Each kind's own document (``new_*``: what the store keeps) and API shape (``show_*``: what
Sentry's API returns, shapes from the official OpenAPI spec) live in its resource module.
Nothing here does I/O beyond reading and writing the given :class:`Store`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from para_monitor_cli.sandbox.store import Doc, Query, Store

DEPRECATION_DATE = "2026-05-14T00:00:00+00:00"
ALL_SCOPES = (
    "org:read",
    "org:write",
    "org:admin",
    "org:integrations",
    "org:ci",
    "project:read",
    "project:write",
    "project:admin",
    "project:releases",
    "team:read",
    "team:write",
    "team:admin",
    "member:read",
    "member:write",
    "member:admin",
    "event:read",
    "event:write",
    "event:admin",
    "alerts:read",
    "alerts:write",
)
# Sentry creates these for every project (workflow_engine's default detectors; not re-read);
# can_delete_detector refuses to delete them.
PROVIDERS: dict[str, Doc] = {
    "slack": {"name": "Slack", "features": ["alert-rule", "chat-unfurl"]},
    "pagerduty": {"name": "PagerDuty", "features": ["alert-rule", "incident-management"]},
    "msteams": {"name": "Microsoft Teams", "features": ["alert-rule", "chat-unfurl"]},
    "opsgenie": {
        "name": "Opsgenie (Integration)",
        "features": ["alert-rule", "incident-management"],
    },
    "discord": {"name": "Discord", "features": ["alert-rule", "chat-unfurl"]},
}


#: The features of a seeded organization that lists none (``features:`` in the seed replaces
#: them). ``incidents`` lets it create metric monitors
#: (OrganizationProjectDetectorIndexEndpoint.post); ``discover-saved-queries-deprecation``
#: is the span migration: metric monitors on transactions or generic_metrics can no longer
#: be created (MetricIssueDetectorValidator._validate_transaction_dataset_deprecation).
#: sentry.io has been refusing them on ordinary organizations (the public reports of
#: "Creation of transaction-based alerts is disabled" in 2026), so the sandbox's default
#: organization is migrated too: what it accepts then works whether or not a real
#: organization has the flag.
DEFAULT_ORG_FEATURES = (
    "incidents",
    "dashboards-basic",
    "dashboards-edit",
    "workflow-engine-ui",
    "discover-saved-queries-deprecation",
)


def org_features(org: Doc) -> list[str]:
    features = org.get("features")
    return list(DEFAULT_ORG_FEATURES if features is None else features)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- constructors ---------------------------------------------------------------------------


def new_uuid() -> str:
    import uuid

    return str(uuid.uuid4())


ABSENT: Any = object()


# -- shows ----------------------------------------------------------------------------------


def integration_status(integration: Doc) -> str:
    """``active``, ``disabled``... (ObjectStatus as Sentry's serializer prints it)."""
    return str(integration.get("status") or "active")


def _num(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


# -- environments ---------------------------------------------------------------------------
#
# Environment (one row per organization and name) and EnvironmentProject (which projects have
# seen it, and whether the project hides it): models/environment.py. Rows are made when an
# event carrying the environment is saved (event_manager ``_get_or_create_environment_many``
# -> ``Environment.get_or_create(project, name)``), never through the API.


def get_or_create_environment(
    store: Store, org_id: str, project_id: str, name: str, now: str
) -> Doc:
    """Environment.get_or_create(project, name): the org's row, linked to the project."""
    found = store.select(Query("environment", org=org_id, name=name), limit=1)
    env = found[0] if found else None
    if env is None:
        env_id = str(store.next_id("environment"))
        env = store.put(
            "environment", env_id, {"id": env_id, "org": org_id, "name": name, "dateCreated": now}
        )
    link_id = f"{env['id']}:{project_id}"
    if store.get("environment_project", link_id) is None:
        store.put(
            "environment_project",
            link_id,
            {"environment": env["id"], "project": project_id, "isHidden": False},
        )
    return env


def org_environments(store: Store, org_id: str) -> dict[str, str]:
    """Every Environment of the organization: name -> id."""
    return {e["name"]: e["id"] for e in store.select(Query("environment", org=org_id))}


# -- events ---------------------------------------------------------------------------------

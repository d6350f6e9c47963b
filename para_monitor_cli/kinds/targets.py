"""Notification targets on the wire: a ``targets:`` entry <-> a workflow action.

Alerts send actions; the file names targets. This module holds both directions, one place each:
:func:`target_action` (a named target -> the action Sentry takes, names resolved through the
:class:`~para_monitor_cli.api.wire.Directory`), :func:`canonical_action` (an action in the
comparable form), :class:`TargetBook` (actions -> named targets, for export and legacy
translation) and :class:`ActionNames` (a canonical action -> the target name a plan shows).
Slack channels are not resolved: Sentry's API lists none, so a target's ``channel_id`` (or
nothing) is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from para_monitor_cli.api.wire import Directory
from para_monitor_cli.errors import UsageError
from para_monitor_cli.kinds.base import JSON
from para_monitor_cli.spec.model import EmailTarget, PagerDutyTarget, SlackTarget, Spec


def target_action(name: str, spec: Spec, directory: Directory) -> JSON:
    """One workflow action for the target named ``name`` in ``targets:``."""
    target = spec.target(name)
    if target is None:
        raise UsageError(f"alert action {name!r} names no target under targets:")
    if isinstance(target, EmailTarget):
        if target.team is not None:
            config = {"targetType": "team", "targetIdentifier": directory.team_id(target.team)}
        else:
            assert target.member is not None
            config = {
                "targetType": "user",
                "targetIdentifier": directory.member_id(target.member),
            }
        return {"type": "email", "integrationId": None, "config": config, "data": {}}
    if isinstance(target, SlackTarget):
        iid = directory.integration_id("slack", target.workspace)
        # targetIdentifier is checked against Slack as an id; the name goes in targetDisplay
        # only. Empty, Sentry looks the name up in Slack (SlackActionValidatorHandler ->
        # SlackNotifyServiceForm.clean: no channel_id -> channel_transformer(name)); the
        # workflow endpoint's own example sends "targetIdentifier": "" this way.
        return {
            "type": "slack",
            "integrationId": iid,
            "config": {
                "targetType": "specific",
                "targetIdentifier": target.channel_id or "",
                "targetDisplay": target.channel,
            },
            "data": {},
        }
    assert isinstance(target, PagerDutyTarget)
    iid = directory.integration_id("pagerduty", target.integration)
    service_id = directory.pagerduty_service_id(iid, target.service)
    return {
        "type": "pagerduty",
        "integrationId": iid,
        "config": {
            "targetType": "specific",
            "targetIdentifier": service_id,
            "targetDisplay": target.service,
        },
        "data": {"priority": target.severity},
    }


def canonical_action(action: Mapping[str, Any]) -> JSON:
    config = action.get("config") or {}
    kind = action.get("type")
    integration = action.get("integrationId")
    out: JSON = {
        "type": kind,
        "integration": None if integration is None else str(integration),
        "targetType": config.get("targetType"),
    }
    if kind == "slack":
        display = config.get("targetDisplay") or config.get("targetIdentifier") or ""
        out["channel"] = str(display).lstrip("#")
    else:
        ident = config.get("targetIdentifier")
        out["target"] = None if ident is None else str(ident)
    data = action.get("data") or {}
    if kind in ("pagerduty", "opsgenie"):
        out["priority"] = data.get("priority") or "default"
    return out


class TargetBook:
    """Collects the named targets an export needs, one per distinct destination."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.targets: dict[str, JSON] = {}
        self._names: dict[str, str] = {}

    def name_for(self, action: Mapping[str, Any]) -> str | None:
        target = self._target(action)
        if target is None:
            return None
        key = repr(sorted(target.items()))
        if key in self._names:
            return self._names[key]
        base = _slug(
            {
                "email": "email-"
                + str(target.get("team") or str(target.get("member", "")).split("@")[0]),
                "slack": f"slack-{str(target.get('channel', '')).lstrip('#@')}",
                "pagerduty": f"pagerduty-{target.get('service', '')}",
            }[str(target["type"])]
        )
        name, n = base, 2
        while name in self.targets:
            name, n = f"{base}-{n}", n + 1
        self.targets[name] = target
        self._names[key] = name
        return name

    def _target(self, action: Mapping[str, Any]) -> JSON | None:
        d = self.directory
        kind = action.get("type")
        config = action.get("config") or {}
        ident = str(config.get("targetIdentifier") or "")
        integration = str(action.get("integrationId") or "")
        if kind == "email":
            if config.get("targetType") == "team":
                slug = next((s for s, i in d.teams.items() if i == ident), None)
                return {"type": "email", "team": slug} if slug else None
            if config.get("targetType") == "user":
                email = next((e for e, i in d.members.items() if i == ident), None)
                return {"type": "email", "member": email} if email else None
            return None
        if kind == "slack":
            workspace = _integration_name(d, "slack", integration)
            channel = str(config.get("targetDisplay") or ident)
            if not workspace or not channel:
                return None
            channel = channel if channel.startswith(("#", "@")) else "#" + channel
            target: JSON = {"type": "slack", "workspace": workspace, "channel": channel}
            if ident and not ident.startswith(("#", "@")):
                target["channel_id"] = ident  # Sentry keeps the id it checked with Slack
            return target
        if kind == "pagerduty":
            name = _integration_name(d, "pagerduty", integration)
            service = next(
                (
                    s
                    for (i, s), sid in d.pagerduty_services.items()
                    if i == integration and sid == ident
                ),
                None,
            )
            if not name or not service:
                return None
            out: JSON = {"type": "pagerduty", "integration": name, "service": service}
            priority = (action.get("data") or {}).get("priority")
            if priority and priority != "default":
                out["severity"] = priority
            return out
        return None


def _integration_name(d: Directory, provider: str, iid: str) -> str | None:
    return next((n for (p, n), i in d.integrations.items() if p == provider and i == iid), None)


def _slug(text: str) -> str:
    chars = [c.lower() if c.isalnum() else "-" for c in text]
    return "-".join(part for part in "".join(chars).split("-") if part) or "target"


def _action_key(action: Mapping[str, Any]) -> str:
    return repr(sorted(action.items()))


class ActionNames:
    """Names a canonical workflow action as the file does: the ``targets:`` entry that sends
    to the same destination, else the name ``export`` would give it, marked as not in the file.
    """

    def __init__(self, directory: Directory, spec: Spec | None = None) -> None:
        self._book = TargetBook(directory)
        self._known: dict[str, str] = {}
        for name in spec.targets if spec is not None else {}:
            self._learn(name, spec)

    def _learn(self, name: str, spec: Spec | None) -> None:
        if spec is None:
            return
        try:
            action = canonical_action(target_action(name, spec, directory=self._book.directory))
        except UsageError:  # a target Sentry cannot resolve names nothing that exists
            return
        self._known.setdefault(_action_key(action), name)

    def __call__(self, action: Mapping[str, Any]) -> str:
        known = self._known.get(_action_key(action))
        if known is not None:
            return known
        ident = action.get("target") if "target" in action else action.get("channel")
        display = action.get("channel")
        raw = {
            "type": action.get("type"),
            "integrationId": action.get("integration"),
            "config": {
                "targetType": action.get("targetType"),
                "targetIdentifier": ident,
                "targetDisplay": f"#{display}" if display else None,
            },
            "data": {"priority": action.get("priority")},
        }
        name = self._book.name_for(raw)
        if name is not None:
            return f"{name} (not in targets:)"
        return f"{action.get('type')} {ident} (not in targets:)"

"""Load the seed file (YAML or JSON) and write it into an empty store."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from para_monitor_cli.sandbox.store import Doc, Store

DEFAULT_SEED = "seed.yaml"
ORG_KEYS = ("members", "teams", "projects", "integrations", "releases", "alert_rules")


class SeedError(ValueError):
    """The seed file cannot be read or does not have the expected shape."""


def load_seed(path: Path | None = None) -> Doc:
    """The seed as a dict: the packaged default, or ``path`` (``.json`` or YAML)."""
    if path is None:
        text = resources.files("para_monitor_cli.sandbox").joinpath(DEFAULT_SEED).read_text()
        name = DEFAULT_SEED
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SeedError(f"cannot read seed file {path}: {exc.strerror}") from None
        name = str(path)
    try:
        data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SeedError(f"seed file {name} is not valid: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("organizations"), list):
        raise SeedError(f"seed file {name} needs a top-level 'organizations' list")
    return data


def apply_seed(store: Store, seed: Doc, now: str) -> None:
    """Write every seeded resource into ``store`` (which should be empty)."""
    from para_monitor_cli.sandbox import model as res

    user = seed.get("user") or {"id": "1", "name": "Sandbox User", "email": "user@example.com"}
    store.put("user", str(user["id"]), _user(user, now))
    store.set_meta("token_user", str(user["id"]))
    store.set_meta("token_scopes", json.dumps(list((seed.get("token") or {}).get("scopes", []))))
    for org_in in seed["organizations"]:
        org = _ided(store, "org", org_in)
        for key in ORG_KEYS:
            org_in.setdefault(key, [])
        store.put(
            "org",
            org["id"],
            {
                "id": org["id"],
                "slug": org["slug"],
                "name": org.get("name", org["slug"]),
                "dateCreated": now,
            },
        )
        for member_in in org_in["members"]:
            member = _ided(store, "member", member_in)
            uid = str(member.get("user", member["id"]))
            if store.get("user", uid) is None:
                store.put("user", uid, _user({"id": uid, **member}, now))
            store.put(
                "member",
                member["id"],
                {
                    "id": member["id"],
                    "org": org["id"],
                    "user": uid,
                    "email": member["email"],
                    "name": member.get("name", member["email"]),
                    "role": member.get("role", "member"),
                    "dateCreated": now,
                },
            )
        team_ids: dict[str, str] = {}
        for team_in in org_in["teams"]:
            team = _ided(store, "team", team_in)
            team_ids[team["slug"]] = team["id"]
            store.put(
                "team",
                team["id"],
                {
                    "id": team["id"],
                    "org": org["id"],
                    "slug": team["slug"],
                    "name": team.get("name", team["slug"]),
                    "members": [str(m) for m in team.get("members", [])],
                    "dateCreated": now,
                },
            )
        project_ids: dict[str, str] = {}
        for project_in in org_in["projects"]:
            project = _ided(store, "project", project_in)
            project_ids[project["slug"]] = project["id"]
            store.put(
                "project",
                project["id"],
                res.new_project(
                    project["id"],
                    org["id"],
                    project,
                    [team_ids[t] for t in project.get("teams", [])],
                    now,
                ),
            )
            res.ensure_default_detectors(store, org["id"], project["id"], now)
            for key_in in project.get("keys", []):
                client_key = res.new_key(store, project["id"], key_in, now)
                store.put("key", client_key["id"], client_key)
            for rule_in in project.get("rules", []):
                rule = res.new_rule(store, project["id"], rule_in, user["id"], now)
                store.put("rule", rule["id"], rule)
        for integration_in in org_in["integrations"]:
            integration = _ided(store, "integration", integration_in)
            store.put("integration", integration["id"], {**integration, "org": org["id"]})
        for release_in in org_in["releases"]:
            release = res.new_release(
                store,
                org["id"],
                release_in["version"],
                [project_ids[p] for p in release_in.get("projects", [])],
                now,
            )
            store.put("release", release["id"], release)
        for rule_in in org_in["alert_rules"]:
            rule = res.new_alert_rule(
                store,
                org["id"],
                rule_in,
                [project_ids[p] for p in rule_in.get("projects", [])],
                user["id"],
                now,
            )
            store.put("alert_rule", rule["id"], rule)


def _ided(store: Store, kind: str, data: Any) -> Doc:
    if not isinstance(data, dict):
        raise SeedError(f"each {kind} in the seed must be a mapping")
    out = dict(data)
    if "id" in out:
        out["id"] = str(out["id"])
        if out["id"].isdigit():
            store.bump_id(kind, int(out["id"]))
    else:
        out["id"] = str(store.next_id(kind))
    return out


def _user(data: Doc, now: str) -> Doc:
    return {
        "id": str(data["id"]),
        "name": data.get("name", data["email"]),
        "email": data["email"],
        "dateJoined": now,
    }

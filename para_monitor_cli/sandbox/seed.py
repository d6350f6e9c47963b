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
    """The seed file cannot be read or does not have the expected shape. The message names
    the file (and the line, or the place in the document) and what is wrong, in one line."""


def load_seed(path: Path | None = None) -> Doc:
    """The seed as a dict: the packaged default, or ``path`` (``.json`` or YAML), checked
    for the shape :func:`apply_seed` and the server need."""
    if path is None:
        text = resources.files("para_monitor_cli.sandbox").joinpath(DEFAULT_SEED).read_text()
        name = DEFAULT_SEED
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SeedError(f"cannot read seed file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise SeedError(f"seed file {path} is not UTF-8 text") from None
        name = str(path)
    try:
        data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise SeedError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        raise SeedError(_yaml_problem(name, exc)) from None
    problem = seed_problem(data)
    if problem is not None or not isinstance(data, dict):
        raise SeedError(f"seed file {name}: {problem}")
    return data


def _yaml_problem(name: str, exc: yaml.YAMLError) -> str:
    """``file:line:col: not valid YAML: problem (context at line:col)`` on one line."""
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return f"{name}: not valid YAML: {type(exc).__name__}"
    mark = exc.problem_mark
    text = f"{name}:{mark.line + 1}:{mark.column + 1}: not valid YAML: {exc.problem}"
    if exc.context and exc.context_mark is not None:
        where = exc.context_mark
        text += f" ({exc.context} at {where.line + 1}:{where.column + 1})"
    return text


def _is_id(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value) != ""


def _mappings(parent: Doc, key: str, where: str) -> tuple[list[Doc], str | None]:
    """``parent[key]`` as a list of mappings (absent is empty), or a problem."""
    items = parent.get(key, [])
    if items is None:
        return [], None
    if not isinstance(items, list):
        return [], f"{where}.{key} must be a list"
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            return [], f"{where}.{key}[{i}] must be a mapping"
    return items, None


def _need(item: Doc, keys: tuple[str, ...], where: str) -> str | None:
    for key in keys:
        if not _is_id(item.get(key)):
            return f"{where} needs '{key}' (a string)"
    return None


def seed_problem(data: Any) -> str | None:
    """What is wrong with a seed document (the first problem), or None when it can be used.

    Checked: the top-level mappings, every list of resources, the keys each resource needs,
    the slugs that projects, releases and alert rules refer to, and that the first
    organization's first project has an active client key (the sandbox prints its DSN)."""
    if not isinstance(data, dict):
        return "the document must be a mapping with an 'organizations' list"
    user = data.get("user")
    if user is not None:
        if not isinstance(user, dict):
            return "'user' must be a mapping with 'id' and 'email'"
        problem = _need(user, ("id", "email"), "user")
        if problem:
            return problem
    token = data.get("token")
    if token is not None:
        if not isinstance(token, dict):
            return "'token' must be a mapping (with 'scopes')"
        scopes = token.get("scopes", [])
        if not isinstance(scopes, list) or not all(isinstance(x, str) for x in scopes):
            return "token.scopes must be a list of strings"
    orgs = data.get("organizations")
    if not isinstance(orgs, list) or not orgs:
        return "needs a top-level 'organizations' list with at least one organization"
    for i, org in enumerate(orgs):
        problem = _org_problem(org, f"organizations[{i}]", first=i == 0)
        if problem:
            return problem
    return None


def _org_problem(org: Any, where: str, *, first: bool) -> str | None:
    if not isinstance(org, dict):
        return f"{where} must be a mapping"
    problem = _need(org, ("slug",), where)
    if problem:
        return problem
    lists: dict[str, list[Doc]] = {}
    for key in ORG_KEYS:
        items, problem = _mappings(org, key, where)
        if problem:
            return problem
        lists[key] = items
    features = org.get("features")
    if features is not None and (
        not isinstance(features, list) or not all(isinstance(f, str) for f in features)
    ):
        return f"{where}.features must be a list of feature names"
    for i, integration in enumerate(lists["integrations"]):
        problem = _integration_problem(integration, f"{where}.integrations[{i}]")
        if problem:
            return problem
    for i, member in enumerate(lists["members"]):
        problem = _need(member, ("email",), f"{where}.members[{i}]")
        if problem:
            return problem
    teams = set()
    for i, team in enumerate(lists["teams"]):
        problem = _need(team, ("slug",), f"{where}.teams[{i}]")
        if problem:
            return problem
        teams.add(str(team["slug"]))
    projects = set()
    for i, project in enumerate(lists["projects"]):
        here = f"{where}.projects[{i}]"
        problem = _need(project, ("slug",), here) or _refs(project, "teams", teams, here)
        if problem:
            return problem
        for key in ("keys", "rules"):
            _items, problem = _mappings(project, key, here)
            if problem:
                return problem
        environments = project.get("environments", [])
        if not isinstance(environments, list) or not all(
            isinstance(e, str) and e for e in environments
        ):
            return f"{here}.environments must be a list of environment names"
        projects.add(str(project["slug"]))
    for key, needs in (("releases", ("version",)), ("alert_rules", ("name",))):
        for i, item in enumerate(lists[key]):
            here = f"{where}.{key}[{i}]"
            problem = _need(item, needs, here) or _refs(item, "projects", projects, here)
            if problem:
                return problem
    if first:
        if not lists["projects"]:
            return f"{where} needs at least one project (the sandbox serves the first one)"
        keys = lists["projects"][0].get("keys") or []
        if not any(k.get("isActive", True) for k in keys):
            return f"{where}.projects[0] needs an active client key under 'keys' (its DSN)"
    return None


def _integration_problem(integration: Doc, where: str) -> str | None:
    problem = _need(integration, ("provider", "name"), where)
    if problem:
        return problem
    status = integration.get("status", "active")
    if status not in ("active", "disabled", "pending_deletion"):
        return f"{where}.status must be active, disabled or pending_deletion"
    channels = integration.get("slack_channels", {})
    if not isinstance(channels, dict) or not all(
        _is_id(k) and isinstance(v, str) for k, v in channels.items()
    ):
        return f"{where}.slack_channels must map channel ids to channel names"
    return None


def _refs(item: Doc, key: str, known: set[str], where: str) -> str | None:
    """``item[key]`` lists slugs defined earlier in the organization."""
    refs = item.get(key, [])
    if not isinstance(refs, list):
        return f"{where}.{key} must be a list of slugs"
    for ref in refs:
        if str(ref) not in known:
            return f"{where}.{key}: no {key[:-1]} {str(ref)!r} in this organization"
    return None


def apply_seed(store: Store, seed: Doc, now: str) -> None:
    """Write every seeded resource into ``store`` (which should be empty)."""
    from para_monitor_cli.sandbox import detectors, legacy, model, projects, releases

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
                # absent: the sandbox's default features (model.DEFAULT_ORG_FEATURES)
                "features": org_in.get("features"),
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
                projects.new_project(
                    project["id"],
                    org["id"],
                    project,
                    [team_ids[t] for t in project.get("teams", [])],
                    now,
                ),
            )
            detectors.ensure_default_detectors(store, org["id"], project["id"], now)
            # environments the project has already seen (as if events carrying them had
            # arrived): a new organization has none unless the seed lists them
            for name in project.get("environments", []):
                model.get_or_create_environment(store, org["id"], project["id"], str(name), now)
            for key_in in project.get("keys", []):
                client_key = projects.new_key(store, project["id"], key_in, now)
                store.put("key", client_key["id"], client_key)
            for rule_in in project.get("rules", []):
                rule = legacy.new_rule(store, project["id"], rule_in, user["id"], now)
                store.put("rule", rule["id"], rule)
        for integration_in in org_in["integrations"]:
            integration = _ided(store, "integration", integration_in)
            store.put("integration", integration["id"], {**integration, "org": org["id"]})
        for release_in in org_in["releases"]:
            release = releases.new_release(
                store,
                org["id"],
                release_in["version"],
                [project_ids[p] for p in release_in.get("projects", [])],
                now,
            )
            store.put("release", release["id"], release)
        for rule_in in org_in["alert_rules"]:
            rule = legacy.new_alert_rule(
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

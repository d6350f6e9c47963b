"""Write the repo-local subset of Sentry's official OpenAPI spec that the tests use.

    python scripts/extract_openapi_subset.py SPEC LEGACY

SPEC is ``openapi-derefed.json`` from https://github.com/getsentry/sentry-api-schema (the
dereferenced public spec), LEGACY is ``legacy-alert-rules-paths.json`` (the path objects of the
removed legacy alert-rule routes, cut from the last spec version that still had them). Both are
required arguments: the script has no default location.

It writes, under ``tests/openapi/``:

- ``sentry-openapi-subset.json``: ``openapi``, ``info`` and ``servers`` of SPEC, and of its
  ``paths`` only the operations in :data:`OPERATIONS` (each path object keeps its shared
  ``parameters``; the operation objects are copied unmodified);
- ``legacy-alert-rules-paths.json``: the operations in :data:`LEGACY_OPERATIONS` of LEGACY;
- ``SOURCE.md``: where both came from (repository, commit, sha256 of the inputs) and this command.

The tests never run this script; they read the files it wrote. Run it again when the client or
the sandbox starts using another Sentry endpoint (add it to :data:`OPERATIONS` first).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "openapi"

O = "/api/0/organizations/{organization_id_or_slug}"  # noqa: E741
P = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}"
T = "/api/0/teams/{organization_id_or_slug}/{team_id_or_slug}"

#: (method, path template) of every public operation that para_monitor_cli/api/client.py (and
#: the probe/checks through it) sends, or para_monitor_cli/sandbox serves.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/api/0/organizations/"),
    ("get", O + "/"),
    ("get", O + "/projects/"),
    ("get", O + "/teams/"),
    ("get", O + "/members/"),
    ("delete", O + "/members/{member_id}/teams/{team_id_or_slug}/"),
    ("get", O + "/integrations/"),
    ("get", O + "/integrations/{integration_id}/"),
    ("delete", O + "/integrations/{integration_id}/"),
    ("get", O + "/releases/"),
    ("post", O + "/releases/"),
    ("get", O + "/releases/{version}/"),
    ("delete", O + "/releases/{version}/"),
    ("get", O + "/eventids/{event_id}/"),
    ("get", O + "/environments/"),
    ("get", O + "/detectors/"),
    ("put", O + "/detectors/"),
    ("delete", O + "/detectors/"),
    ("post", O + "/projects/{project_id_or_slug}/detectors/"),
    ("get", O + "/detectors/{detector_id}/"),
    ("put", O + "/detectors/{detector_id}/"),
    ("delete", O + "/detectors/{detector_id}/"),
    ("get", O + "/workflows/"),
    ("post", O + "/workflows/"),
    ("delete", O + "/workflows/"),
    ("get", O + "/workflows/{workflow_id}/"),
    ("put", O + "/workflows/{workflow_id}/"),
    ("delete", O + "/workflows/{workflow_id}/"),
    ("get", O + "/monitors/"),
    ("post", O + "/monitors/"),
    ("get", O + "/monitors/{monitor_id_or_slug}/"),
    ("put", O + "/monitors/{monitor_id_or_slug}/"),
    ("delete", O + "/monitors/{monitor_id_or_slug}/"),
    ("get", O + "/monitors/{monitor_id_or_slug}/checkins/"),
    ("get", P + "/monitors/{monitor_id_or_slug}/"),
    ("put", P + "/monitors/{monitor_id_or_slug}/"),
    ("delete", P + "/monitors/{monitor_id_or_slug}/"),
    ("get", P + "/monitors/{monitor_id_or_slug}/checkins/"),
    ("get", O + "/dashboards/"),
    ("post", O + "/dashboards/"),
    ("get", O + "/dashboards/{dashboard_id}/"),
    ("put", O + "/dashboards/{dashboard_id}/"),
    ("delete", O + "/dashboards/{dashboard_id}/"),
    ("get", P + "/"),
    ("put", P + "/"),
    ("get", P + "/environments/"),
    ("get", P + "/keys/"),
    ("post", P + "/keys/"),
    ("get", P + "/keys/{key_id}/"),
    ("put", P + "/keys/{key_id}/"),
    ("delete", P + "/keys/{key_id}/"),
    ("get", P + "/teams/"),
    ("get", P + "/releases/"),
    ("get", P + "/events/"),
    ("get", P + "/events/{event_id}/"),
    ("get", T + "/members/"),
)

#: The removed legacy alert-rule routes: export reads them, the sandbox serves all of them.
LEGACY_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", O + "/alert-rules/"),
    ("post", O + "/alert-rules/"),
    ("get", O + "/alert-rules/{alert_rule_id}/"),
    ("put", O + "/alert-rules/{alert_rule_id}/"),
    ("delete", O + "/alert-rules/{alert_rule_id}/"),
    ("get", P + "/rules/"),
    ("post", P + "/rules/"),
    ("get", P + "/rules/{rule_id}/"),
    ("put", P + "/rules/{rule_id}/"),
    ("delete", P + "/rules/{rule_id}/"),
)

#: The snapshot the committed subset was cut from (shared/sentry-openapi/SOURCE.txt).
KNOWN_SOURCES = {
    "b71216654e44cc18f5e262fbb5075df67f1504a123d4bcb51cc8e8cc74ebd435": (
        "a589a26c3b29bfc342a47baa963b7970961f958e",
        "HEAD of the default branch, \"Merge branch 'release/0.272.0'\", 2026-08-16; last commit "
        "touching the file 79207276bee96c42348ebc245c91a98a0b056839 (2026-08-14)",
    ),
    "e1517a52ef42822b8763c4dd6c48d4ca9e21436f9eedb9040a1fe63b87315b1e": (
        "59279fd485113177fdc405c9d988ac3d145a0427",
        "2026-05-08 16:21 UTC, the last version of openapi-derefed.json that still had the legacy "
        "alert-rule paths (removed in 086755668deb55e81b88cc82cc5aec421009be2b, 2026-05-08 17:34 "
        "UTC); path objects only, values unmodified",
    ),
}
_PATH_KEYS = ("parameters", "summary", "description", "servers")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cut(paths: dict[str, Any], wanted: tuple[tuple[str, str], ...], name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for method, template in wanted:
        item = paths.get(template)
        if item is None or method not in item:
            sys.exit(f"{name} has no operation {method.upper()} {template}")
        target = out.setdefault(template, {k: item[k] for k in _PATH_KEYS if k in item})
        target[method] = item[method]
    text = json.dumps(out)
    if '"$ref"' in text:
        sys.exit(f"{name}: the kept operations hold a $ref; pass the dereferenced spec")
    return out


def _source(sha: str, commit: str | None) -> tuple[str, str]:
    if commit:
        return commit, "given on the command line"
    if sha not in KNOWN_SOURCES:
        sys.exit(
            f"unknown input (sha256 {sha}): name its upstream commit with --commit/--legacy-commit"
        )
    return KNOWN_SOURCES[sha]


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "spec", type=Path, help="openapi-derefed.json (getsentry/sentry-api-schema)"
    )
    parser.add_argument("legacy", type=Path, help="legacy-alert-rules-paths.json")
    parser.add_argument("--commit", help="upstream commit of SPEC, if not a known snapshot")
    parser.add_argument("--legacy-commit", help="upstream commit LEGACY was cut from, if unknown")
    args = parser.parse_args(argv)

    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    legacy = json.loads(args.legacy.read_text(encoding="utf-8"))
    spec_sha, legacy_sha = _sha256(args.spec), _sha256(args.legacy)
    spec_commit, spec_note = _source(spec_sha, args.commit)
    legacy_commit, legacy_note = _source(legacy_sha, args.legacy_commit)

    OUT.mkdir(parents=True, exist_ok=True)
    subset = {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "servers": spec["servers"],
        "x-para-monitor-source": {
            "repository": "https://github.com/getsentry/sentry-api-schema",
            "path": "openapi-derefed.json",
            "commit": spec_commit,
            "sha256": spec_sha,
            "note": "subset: only the operations para-monitor's client and sandbox use",
        },
        "paths": _cut(spec["paths"], OPERATIONS, args.spec.name),
    }
    _write_json(OUT / "sentry-openapi-subset.json", subset)
    legacy_out = {
        "_source": legacy.get("_source", ""),
        "x-para-monitor-source": {
            "repository": "https://github.com/getsentry/sentry-api-schema",
            "path": "openapi-derefed.json",
            "commit": legacy_commit,
            "sha256_of_extract": legacy_sha,
        },
        "paths": _cut(legacy["paths"], LEGACY_OPERATIONS, args.legacy.name),
    }
    _write_json(OUT / "legacy-alert-rules-paths.json", legacy_out)

    ops = "\n".join(f"- `{m.upper()} {t}`" for m, t in OPERATIONS)
    legacy_ops = "\n".join(f"- `{m.upper()} {t}`" for m, t in LEGACY_OPERATIONS)
    (OUT / "SOURCE.md").write_text(
        f"""# Sentry OpenAPI material used by the tests

Generated by `scripts/extract_openapi_subset.py`; do not edit by hand. Regenerate with

    python scripts/extract_openapi_subset.py path/to/openapi-derefed.json \\
        path/to/legacy-alert-rules-paths.json

## sentry-openapi-subset.json

- repository: https://github.com/getsentry/sentry-api-schema (Sentry's generated OpenAPI 3 spec)
- file: `openapi-derefed.json` (repository root), commit `{spec_commit}`
  ({spec_note})
- sha256 of the input file: `{spec_sha}`
- license: Apache-2.0 per the spec's `info` block
- kept: `openapi`, `info`, `servers` and these operations, unmodified
  (their path objects' shared `parameters` too):

{ops}

## legacy-alert-rules-paths.json

- cut from `openapi-derefed.json` of the same repository at commit `{legacy_commit}`
  ({legacy_note})
- sha256 of the input extract: `{legacy_sha}`
- kept:

{legacy_ops}
""",
        encoding="utf-8",
    )
    print(f"wrote {len(OPERATIONS)} + {len(LEGACY_OPERATIONS)} operations to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

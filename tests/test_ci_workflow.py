"""The README's GitHub Actions workflow, run as a fork's pull request runs it: no secrets.

The workflow is read from the README's YAML block. Its ``${{ }}`` expressions and ``if:``
conditions are evaluated with the contexts GitHub gives a pull request from a fork (every
``secrets.*`` is the empty string, as GitHub passes them to forks), and each ``run:`` step
whose condition holds runs with ``bash -e`` in a checkout of this repository, with the job's
``env:``. ``uses:`` steps are GitHub's actions (checkout, setup-python, upload-artifact): the
test stands in for the first two with this checkout and this interpreter, and checks that
the file the last one uploads exists. The ``pip install`` of the package is the one step not
run (no network here): it must be the only one skipped, and the package is installed already.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def workflow() -> dict[str, Any]:
    # the check-setup workflow (the README also shows an apply-alerts one)
    (block,) = [
        b
        for b in re.findall(r"```yaml\n(.*?)```", README, re.S)
        if "jobs:" in b and "check-setup:" in b
    ]
    data: dict[str, Any] = yaml.safe_load(block)
    return data


def fork_pull_request() -> dict[str, Any]:
    """The expression contexts of a pull request opened from a fork."""
    event = {"pull_request": {"head": {"repo": {"fork": True}}}}
    github = {"event_name": "pull_request", "ref_type": "branch", "ref_name": "1/merge"}
    return {"github": {**github, "event": event}, "secrets": {}}


def namespace(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{k: namespace(v) for k, v in value.items()})
    return value


class _Secrets:
    """GitHub gives a fork's workflow no secrets: each one reads as the empty string."""

    def __getattr__(self, name: str) -> str:
        return ""


def evaluate(expression: str, contexts: dict[str, Any]) -> Any:
    """A GitHub Actions expression (the subset the README uses: contexts, string literals,
    ``==``, ``&&``, ``||``, ``!`` and ``always()``), with its JavaScript-like ``&&``/``||``
    (they give an operand, as Python's ``and``/``or`` do)."""
    text = expression.strip()
    text = re.sub(r"&&", " and ", text)
    text = re.sub(r"\|\|", " or ", text)
    text = re.sub(r"!(?!=)", " not ", text)
    text = text.replace("always()", "True")
    names = {k: namespace(v) for k, v in contexts.items() if k != "secrets"}
    names["secrets"] = _Secrets()
    return eval(text, {"__builtins__": {}}, names)  # our own README, not user input


def substitute(value: str, contexts: dict[str, Any]) -> str:
    """``${{ expr }}`` in a string, replaced by its value."""

    def one(match: re.Match[str]) -> str:
        result = evaluate(match.group(1), contexts)
        return "" if result is None or result is False else str(result)

    return re.sub(r"\$\{\{(.*?)\}\}", one, value)


def test_the_expression_subset() -> None:
    contexts = fork_pull_request()
    fork = "github.event_name == 'pull_request' && github.event.pull_request.head.repo.fork"
    assert evaluate(fork, contexts) is True
    assert evaluate(f"!({fork})", contexts) is False
    assert evaluate("github.ref_type == 'tag' && github.ref_name || '0.1.0'", contexts) == "0.1.0"
    assert substitute("${{ secrets.SENTRY_DSN }}", contexts) == ""
    assert evaluate("always()", contexts) is True


def test_the_readme_workflow_passes_on_a_fork_pull_request(tmp_path: Path) -> None:
    contexts = fork_pull_request()
    flow = workflow()
    assert "pull_request" in flow[True]  # PyYAML reads the key `on` as True (YAML 1.1)
    (job,) = flow["jobs"].values()
    env = {k: substitute(str(v), contexts) for k, v in job.get("env", {}).items()}
    assert env["SENTRY_AUTH_TOKEN"] == ""  # a fork has no secrets
    assert env["SENTRY_DSN"] == ""
    checkout = tmp_path / "checkout"  # actions/checkout: the repository's files
    checkout.mkdir()
    shutil.copy(ROOT / "alert_rules.yaml", checkout / "alert_rules.yaml")
    # actions/setup-python + the package: this interpreter's environment, HOME empty
    process_env = {
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SENTRY_DISABLE_UPDATE_CHECK": "true",
        **env,
    }
    ran, skipped, uploaded = [], [], []
    for step in job["steps"]:
        condition = step.get("if")
        if condition is not None and not evaluate(str(condition), contexts):
            continue
        if "uses" in step:
            if step["uses"].startswith("actions/upload-artifact"):
                uploaded.append(checkout / step["with"]["path"])
            continue
        script = substitute(step["run"], contexts)
        if script.startswith("pip install "):
            skipped.append(script)
            continue
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=checkout,
            env=process_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        ran.append((script, done.stdout))
    assert [script for script, _ in ran] == [
        "para-monitor check-setup --offline --junit check-setup.xml"
    ]
    assert len(skipped) == 1
    assert uploaded == [checkout / "check-setup.xml"]
    assert uploaded[0].is_file()
    junit = uploaded[0].read_text(encoding="utf-8")
    assert 'failures="0"' in junit
    assert 'errors="0"' in junit
    # what the README says a fork's step skips shows as skipped, not failed
    output = ran[0][1]
    assert "Sentry DSN added to environment variables [dsn]" in output
    for name in ("spec", "environment_release", "scrubbing"):
        assert re.search(rf"\[{name}\]\.+Passed", output), name
    for name in ("dsn", "test_error", "server_scrubbing", "alerts", "release"):
        assert re.search(rf"\[{name}\]\.+Skipped", output), name

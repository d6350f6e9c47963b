"""The check framework without any network: dependencies, concurrency, selection, errors,
exit codes, and the three renderings (checklist text, JSON against its schema, JUnit XML)."""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from para_monitor_cli.checks import (
    CHECKS,
    NAMES,
    Check,
    CheckContext,
    CheckOptions,
    CheckResult,
    Report,
    failed,
    passed,
    result_schema,
    run_checks,
    select,
    warning,
)
from para_monitor_cli.checks.base import check_order
from para_monitor_cli.errors import (
    AuthError,
    RateLimitedError,
    ServerError,
    UnreachableError,
    UsageError,
)
from para_monitor_cli.render import Output, junit_xml, show_check_report, show_check_result
from para_monitor_cli.settings import resolve

GOLDEN = Path(__file__).parent / "golden" / "check_setup_checklist.txt"


def ctx(tmp_path: Path, offline: bool = False) -> CheckContext:
    settings = resolve({}, environ={}, cwd=tmp_path, home=tmp_path)
    return CheckContext(settings, CheckOptions(offline=offline))


def test_the_checklist_is_well_formed() -> None:
    check_order(CHECKS)
    assert len(set(NAMES)) == len(NAMES)
    schema_names = result_schema()["$defs"]["check"]["properties"]["name"]["enum"]  # type: ignore[index]
    assert list(schema_names) == list(NAMES)


def test_a_failed_prerequisite_skips_its_dependents_with_the_reason(tmp_path: Path) -> None:
    ran: list[str] = []

    def record(name: str, outcome_fn):  # type: ignore[no-untyped-def]
        def run(_ctx: CheckContext):  # type: ignore[no-untyped-def]
            ran.append(name)
            return outcome_fn()

        return run

    checks = [
        Check("a", "A", record("a", lambda: failed("a is broken")), network="none"),
        Check("b", "B", record("b", lambda: passed("b ok")), needs=("a",), network="none"),
        Check("c", "C", record("c", lambda: passed("c ok")), needs=("b",), network="none"),
        Check("d", "D", record("d", lambda: warning("d meh")), network="none"),
        Check("e", "E", record("e", lambda: passed("e ok")), needs=("d",), network="none"),
    ]
    report = run_checks(checks, ctx(tmp_path))
    by = {r.name: r for r in report.results}
    assert [r.name for r in report.results] == ["a", "b", "c", "d", "e"]
    assert by["b"].status == "skipped"
    assert by["b"].summary == "needs a, which failed"
    assert by["c"].status == "skipped"
    assert by["c"].summary == "needs b, which was skipped"
    assert by["e"].status == "passed"  # a warning does not block
    assert sorted(ran) == ["a", "d", "e"]
    assert report.exit_code() == 1


def test_independent_checks_run_concurrently(tmp_path: Path) -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet(_ctx: CheckContext):  # type: ignore[no-untyped-def]
        barrier.wait()  # deadlocks (BrokenBarrierError after 5 s) unless all three run at once
        return passed("met")

    checks = [Check(n, n, meet, network="none") for n in ("x", "y", "z")]
    report = run_checks(checks, ctx(tmp_path), workers=3)
    assert [r.status for r in report.results] == ["passed"] * 3


def test_a_prerequisite_outside_the_selection_does_not_gate(tmp_path: Path) -> None:
    checks = [
        Check("a", "A", lambda _c: failed("no"), network="none"),
        Check("b", "B", lambda _c: passed("yes"), needs=("a",), network="none"),
    ]
    report = run_checks(select(checks, only=["b"]), ctx(tmp_path))
    assert [(r.name, r.status) for r in report.results] == [("b", "passed")]


def test_only_and_skip_select_by_name_and_reject_unknown_names() -> None:
    assert [c.name for c in select(CHECKS, only=["dsn,team", "release"])] == [
        "dsn",
        "team",
        "release",
    ]
    skipped = [c.name for c in select(CHECKS, skip=["test-error", "legacy_alerts"])]
    assert "test_error" not in skipped
    assert "legacy_alerts" not in skipped
    assert len(skipped) == len(CHECKS) - 2
    with pytest.raises(UsageError, match="unknown check 'tema'"):
        select(CHECKS, only=["tema"])


def test_offline_skips_what_needs_sentry(tmp_path: Path) -> None:
    touched: list[str] = []
    checks = [
        Check("local", "L", lambda c: passed(f"offline={c.offline}"), network="none"),
        Check("net", "N", lambda _c: touched.append("net") or passed("x")),  # type: ignore[func-returns-value]
    ]
    report = run_checks(checks, ctx(tmp_path, offline=True))
    assert [r.status for r in report.results] == ["passed", "skipped"]
    assert report.results[1].summary == "needs Sentry; not run with --offline"
    assert touched == []
    assert report.exit_code() == 0


def _raise(exc: BaseException):  # type: ignore[no-untyped-def]
    def run(_ctx: CheckContext):  # type: ignore[no-untyped-def]
        raise exc

    return run


def test_every_networked_check_unreachable_exits_3(tmp_path: Path) -> None:
    checks = [
        Check("local", "L", lambda _c: passed("fine"), network="none"),
        Check("a", "A", _raise(UnreachableError("GET x: cannot reach http://h (ConnectError)"))),
        Check("b", "B", _raise(AuthError("GET y: HTTP 401: Invalid token", status=401))),
    ]
    report = run_checks(checks, ctx(tmp_path))
    assert report.unreachable
    assert report.exit_code() == 3
    assert [r.status for r in report.results] == ["passed", "not_run", "not_run"]
    assert report.results[1].summary.startswith("not run: cannot reach Sentry: GET x")
    assert report.results[2].summary == "not run: Sentry refused the token (401)"
    assert report.causes() == ["unreachable", "token"]


@pytest.mark.parametrize(
    ("exc", "summary", "cause"),
    [
        (
            ServerError("GET x: HTTP 500", status=500),
            "not run: Sentry answered 500",
            "server",
        ),
        (
            RateLimitedError("GET x: HTTP 429", status=429),
            "not run: Sentry kept answering 429 (rate limited) past the retry budget",
            "rate_limited",
        ),
    ],
)
def test_sentry_failing_past_the_retry_budget_is_not_a_finding(
    tmp_path: Path, exc: Exception, summary: str, cause: str
) -> None:
    checks = [
        Check("spec", "L", lambda _c: passed("fine"), network="none"),
        Check("team", "A", _raise(exc)),
        Check("release", "B", lambda _c: passed("x"), needs=("team",)),
    ]
    report = run_checks(checks, ctx(tmp_path))
    a, b = report.results[1], report.results[2]
    assert (a.status, a.summary, a.cause) == ("not_run", summary, cause)
    assert (b.status, b.summary) == ("skipped", "needs team, which did not run")
    assert not report.failed
    assert report.exit_code() == 3
    document = report.to_json()
    jsonschema.validate(document, result_schema())
    assert document["ok"] is False
    assert document["summary"]["not_run"] == 1


def test_a_real_finding_keeps_exit_1_when_another_check_could_not_run(tmp_path: Path) -> None:
    checks = [
        Check("local", "L", lambda _c: failed("broken"), network="none"),
        Check("a", "A", _raise(ServerError("GET x: HTTP 502", status=502))),
    ]
    report = run_checks(checks, ctx(tmp_path))
    assert report.results[1].summary == "not run: Sentry answered 502"
    assert report.exit_code() == 1


def test_one_answer_from_sentry_means_findings_not_unreachable(tmp_path: Path) -> None:
    checks = [
        Check("a", "A", _raise(UnreachableError("GET x: timed out"))),
        Check("b", "B", _raise(AuthError("GET y: HTTP 403: no scope", status=403))),
    ]
    report = run_checks(checks, ctx(tmp_path))
    assert not report.unreachable
    assert report.exit_code() == 1


def test_a_crashing_check_is_reported_and_exits_4(tmp_path: Path) -> None:
    checks = [
        Check("boom", "B", _raise(KeyError("x")), network="none"),
        Check("fine", "F", lambda _c: passed("ok"), network="none"),
    ]
    report = run_checks(checks, ctx(tmp_path))
    assert report.results[0].status == "failed"
    assert report.results[0].crashed
    assert "bug in para-monitor" in report.results[0].summary
    assert report.results[1].status == "passed"
    assert report.exit_code() == 4


def test_memo_computes_once_across_threads_and_remembers_errors(tmp_path: Path) -> None:
    context = ctx(tmp_path)
    calls: list[int] = []
    barrier = threading.Barrier(4, timeout=5)

    def compute() -> int:
        calls.append(1)
        return 42

    results: list[int] = []

    def worker() -> None:
        barrier.wait()
        results.append(context.memo("k", compute))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 4
    assert calls == [1]

    def broken() -> int:
        calls.append(2)
        raise UnreachableError("down")

    for _ in range(2):
        with pytest.raises(UnreachableError):
            context.memo("broken", broken)
    assert calls.count(2) == 1


def sample_report() -> Report:
    results = (
        CheckResult("spec", "alert_rules.yaml is valid", "passed", "valid: 4 targets", (), 0.01),
        CheckResult(
            "dsn",
            "Sentry DSN added to environment variables",
            "failed",
            "the DSN's key 'Default' is revoked (inactive) in acme/api: events are refused",
            ("hint: re-enable the key",),
            0.2,
            network="optional",
        ),
        CheckResult(
            "test_error",
            "Test error capture working",
            "skipped",
            "needs dsn, which failed",
            needs=("dsn",),
        ),
        CheckResult(
            "legacy_alerts",
            "No rules left on deprecated alert endpoints",
            "warning",
            "1 rule still on deprecated alert endpoints: issue alert rule 'x'",
            ("issue alert rule 'x'", "hint: migrate"),
            0.1,
        ),
    )
    return Report(
        results=results,
        seconds=1.25,
        requests=7,
        target={"url": "https://sentry.io/", "org": "acme", "project": "api", "config": "a.yaml"},
    )


def test_the_checklist_text_matches_the_golden_file() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    show_check_report(Output("text", stdout=stdout, stderr=stderr), sample_report())
    assert stdout.getvalue() == GOLDEN.read_text(encoding="utf-8")
    assert stderr.getvalue() == ""


def test_details_beyond_the_limit_are_counted_and_hints_always_shown() -> None:
    leaks = tuple(f"leak: e{i}.json: extra.token (jwt)" for i in range(16))
    result = CheckResult(
        "scrubbing",
        "Sensitive data filtering verified",
        "failed",
        "16 value(s) leak",
        (*leaks, "hint: para-monitor scrub-check shows every leak by JSON path"),
    )
    stdout = io.StringIO()
    show_check_result(Output("text", stdout=stdout, stderr=io.StringIO()), result)
    lines = stdout.getvalue().splitlines()
    assert lines[0] == "Sensitive data filtering verified [scrubbing]" + "." * 28 + "Failed"
    assert lines[2:12] == [f"    {leak}" for leak in leaks[:10]]
    assert lines[12] == "    ... and 6 more (--output json lists them all)"
    assert lines[13] == "    hint: para-monitor scrub-check shows every leak by JSON path"
    assert len(lines) == 14


def test_summary_line_words() -> None:
    one = Report(results=(sample_report().results[0],), seconds=0.5, requests=1)
    stdout = io.StringIO()
    show_check_report(Output("text", stdout=stdout, stderr=io.StringIO()), one)
    assert stdout.getvalue().splitlines()[-1] == (
        "OK: 1 check: 1 passed, 0 failed, 0 warnings, 0 skipped (0.5 s, 1 API request)"
    )


def test_the_json_document_matches_its_schema() -> None:
    document = sample_report().to_json()
    jsonschema.Draft202012Validator.check_schema(result_schema())
    jsonschema.validate(document, result_schema())
    assert document["exit_code"] == 1
    assert document["summary"] == {
        "passed": 1,
        "failed": 1,
        "warning": 1,
        "skipped": 1,
        "not_run": 0,
        "total": 4,
    }


def test_the_junit_xml_is_valid_and_readable() -> None:
    root = ET.fromstring(junit_xml(sample_report()))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("tests") == "4"
    assert suite.get("failures") == "1"
    assert suite.get("skipped") == "1"
    assert suite.get("errors") == "0"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["spec", "dsn", "test_error", "legacy_alerts"]
    failure = cases["dsn"].find("failure")
    assert failure is not None
    assert "revoked" in (failure.get("message") or "")
    assert "hint: re-enable the key" in (failure.text or "")
    skipped = cases["test_error"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "needs dsn, which failed"
    assert cases["spec"].find("failure") is None
    assert cases["spec"].find("skipped") is None
    out = cases["legacy_alerts"].find("system-out")
    assert out is not None
    assert (out.text or "").startswith("warning: ")
    for case in cases.values():
        assert case.get("classname") == "para-monitor.check-setup"
        float(case.get("time") or "x")

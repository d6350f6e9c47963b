"""The ``crons:`` and ``uptime:`` sections: schedules parsed as Sentry's ConfigValidator reads
them, the config the API and the SDK's check-ins receive, alerts that refer to both kinds, and
an uptime check's expected status written as the assertion Sentry's checker evaluates (checked
code by code against the sandbox's model of that checker)."""

from __future__ import annotations

from typing import Any

import pytest

from para_monitor_cli.kinds.uptime import (
    CUSTOM_ASSERTION,
    expected_ranges,
    expected_text,
    status_assertion,
)
from para_monitor_cli.sandbox import uptime as sandbox_uptime
from para_monitor_cli.spec import check_text
from para_monitor_cli.spec.model import CronMonitor, Spec, UptimeMonitor, slugify
from para_monitor_cli.spec.rules import uptime_request_size
from para_monitor_cli.spec.schedule import Schedule, parse_schedule
from para_monitor_cli.spec.status import (
    accepts,
    assertion_ops,
    parse_expected_status,
    status_tokens,
)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("0 6 * * 1", "0 6 * * 1"),
        ("  0   6 *  * 1 ", "0 6 * * 1"),  # whitespace collapsed as Sentry does
        ("@weekly", "0 0 * * 0"),  # nicknames stored translated (NONSTANDARD_CRONTAB_SCHEDULES)
        ("@annually", "0 0 1 1 *"),
        ("*/15 9-17 * JAN-MAR MON-FRI", "*/15 9-17 * JAN-MAR MON-FRI"),
        ("0 0 L * *", "0 0 L * *"),
        ("0 0 * * 5#2", "0 0 * * 5#2"),
        ("0 0 * * 5L", "0 0 * * 5L"),
        ("0 0 29 2 *", "0 0 29 2 *"),  # exists in leap years
        ("0 0 31 1,2 *", "0 0 31 1,2 *"),  # exists in January
        ("0 12 * * 7", "0 12 * * 7"),  # 7 is Sunday too
    ],
)
def test_crontabs_sentry_accepts(text: str, stored: str) -> None:
    schedule = parse_schedule(text)
    assert schedule == Schedule("crontab", crontab=stored)
    assert schedule.wire == stored


@pytest.mark.parametrize(
    ("text", "count", "unit"),
    [
        ("every day", 1, "day"),
        ("every 2 hours", 2, "hour"),
        ("Every 30 Minutes", 30, "minute"),
        ("every 1 week", 1, "week"),
    ],
)
def test_intervals(text: str, count: int, unit: str) -> None:
    schedule = parse_schedule(text)
    assert (schedule.type, schedule.count, schedule.unit) == ("interval", count, unit)
    assert schedule.wire == [count, unit]
    assert parse_schedule(schedule.text) == schedule  # export writes what import reads


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@reboot", "Schedule was not parseable"),
        ("0 0 * * * *", "Only 5 field crontab syntax is supported"),
        ("0 0 * *", "a crontab has 5 fields"),
        ("60 * * * *", "minute 60 is outside 0-59"),
        ("0 0 0 * *", "day of month 0 is outside 1-31"),
        ("0 0 * 13 *", "month 13 is outside 1-12"),
        ("0 0 * * 8", "day of week 8 is outside 0-7"),
        ("*/0 * * * *", "bad step '0'"),
        ("5-1 * * * *", "range '5-1' ends before it starts"),
        ("0 0 30 2 *", "day 30 does not occur"),
        ("0 0 * * MON#6", "needs #1 to #5"),
        ("0 0 * FOO *", "'FOO' is not a value of the month field"),
        ("1,,2 * * * *", "empty value in the minute field"),
        ("every 0 days", "Interval must be greater than zero"),
        ("every two days", "Invalid schedule for schedule unit count"),
        ("every 3 fortnights", "Invalid schedule for schedule unit name"),
        ("every", "Invalid schedule for 'interval' type"),
        ("", "got an empty string"),
        (5, "expected a crontab"),
    ],
)
def test_schedules_sentry_refuses(text: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_schedule(text)


def test_cron_config_for_the_api_and_for_check_ins() -> None:
    cron = CronMonitor.model_validate(
        {
            "name": "Weekly review generation",
            "schedule": "0 6 * * 1",
            "timezone": "Europe/Berlin",
            "checkin_margin": "10m",
            "max_runtime": "2h",
            "failure_issue_threshold": 2,
            "recovery_threshold": 1,
            "owner": "team:backend",
        }
    )
    assert cron.monitor_slug == "weekly-review-generation"
    assert cron.wire_config() == {
        "schedule_type": "crontab",
        "schedule": "0 6 * * 1",
        "checkin_margin": 10,
        "max_runtime": 120,
        "timezone": "Europe/Berlin",
        "failure_issue_threshold": 2,
        "recovery_threshold": 1,
    }
    # the upsert form Relay's MonitorConfig reads; the owner (a slug here) is not sent
    assert cron.monitor_config() == {
        "schedule": {"type": "crontab", "value": "0 6 * * 1"},
        "checkin_margin": 10,
        "max_runtime": 120,
        "timezone": "Europe/Berlin",
        "failure_issue_threshold": 2,
        "recovery_threshold": 1,
    }
    interval = CronMonitor.model_validate({"name": "sync", "schedule": "every 15 minutes"})
    assert interval.monitor_config() == {
        "schedule": {"type": "interval", "value": 15, "unit": "minute"}
    }


def test_slugs() -> None:
    assert slugify("MCP sync (hourly)") == "mcp-sync-hourly"
    assert slugify("x" * 80) == "x" * 50
    assert slugify("!!!") == ""


def test_spec_finds_a_cron_by_slug_or_name() -> None:
    spec = Spec.model_validate(
        {
            "version": 1,
            "crons": [
                {"name": "Data cleanup", "slug": "cleanup", "schedule": "@daily"},
                {"name": "MCP sync", "schedule": "every hour"},
            ],
        }
    )
    assert spec.cron("cleanup") is spec.crons[0]
    assert spec.cron("Data cleanup") is spec.crons[0]
    assert spec.cron("mcp-sync") is spec.crons[1]
    assert spec.cron("nothing") is None


def test_uptime_headers_are_pairs_and_request_size_counts_as_sentry_does() -> None:
    check = UptimeMonitor.model_validate(
        {"name": "API", "url": "https://api.example.com/health", "headers": {"Accept": "x/y"}}
    )
    assert check.headers == (("Accept", "x/y"),)
    assert (check.interval, check.timeout, check.downtime_threshold) == (60, 5, 3)
    # "GET <url> HTTP/1.1\r\n" + "Accept" + "x/y" + "\r\n" (compute_http_request_size)
    line = len("GET https://api.example.com/health HTTP/1.1\r\n")
    assert uptime_request_size("GET", check.url, check.headers, None) == line + 6 + 3 + 2
    assert uptime_request_size("POST", "u", (), "é") == len("POST u HTTP/1.1\r\n") + 2 + 2


ALERTING = """\
version: 1
targets:
  mail: {type: email, team: backend}
crons:
  - {name: Weekly review, slug: weekly-review, schedule: "0 6 * * 1", timezone: Europe/Berlin}
  - {name: MCP sync, schedule: every 15 minutes}
uptime:
  - {name: API health, url: "https://api.example.com/health", interval: 1m, timeout: 10s}
alerts:
  - name: jobs and outages
    monitors: [weekly-review, MCP sync, API health]
    actions: [mail]
"""


def test_alerts_connect_crons_by_slug_or_name_and_uptime_checks_by_name() -> None:
    spec, problems = check_text(ALERTING, "alert_rules.yaml")
    assert spec is not None
    assert [p.message for p in problems] == []


@pytest.mark.parametrize(
    ("written", "ranges", "tokens"),
    [
        (200, ((200, 200),), ("200",)),
        ("2xx", ((200, 299),), ("2xx",)),
        ("200-204", ((200, 204),), ("200-204",)),
        ([200, 204], ((200, 200), (204, 204)), ("200", "204")),
        ([200, 201, "202"], ((200, 202),), ("200-202",)),  # touching codes join
        (["3xx", "2xx", 404], ((200, 399), (404, 404)), ("2xx", "3xx", "404")),
        (["250-450"], ((250, 450),), ("250-299", "3xx", "400-450")),
        (["2XX", "200-210"], ((200, 299),), ("2xx",)),  # overlap folds into the class
    ],
)
def test_expected_status_forms(written: object, ranges: object, tokens: object) -> None:
    check = UptimeMonitor.model_validate(
        {"name": "API", "url": "https://api.example.com/health", "expected_status": written}
    )
    assert check.expected_status == ranges
    assert status_tokens(check.expected_status) == tokens


def test_expected_status_defaults_to_any_2xx() -> None:
    check = UptimeMonitor.model_validate({"name": "API", "url": "https://api.example.com/"})
    assert check.expected_status == ((200, 299),)


def _count_ops(node: dict[str, Any]) -> int:
    children = node.get("children") or ([node["operand"]] if "operand" in node else [])
    return 1 + sum(_count_ops(child) for child in children)


@pytest.mark.parametrize(
    "written",
    [200, "2xx", "200-204", [200, 204], ["2xx", "3xx", 404], [101, "250-450", 599], "1xx"],
)
def test_the_assertion_written_reads_back_as_the_same_codes(written: object) -> None:
    ranges = parse_expected_status(written)
    assertion = status_assertion(ranges)
    assert expected_ranges(assertion) == ranges
    assert _count_ops(assertion["root"]) == assertion_ops(ranges)
    # the sandbox's model of the checker agrees, code by code
    root = sandbox_uptime.compile_assertion(assertion)
    for code in range(100, 600):
        assert sandbox_uptime.evaluate(root, code)[0] == accepts(ranges, code), code


def _check(cmp: str, value: int) -> dict[str, Any]:
    return {"op": "status_code_check", "operator": {"cmp": cmp}, "value": value}


@pytest.mark.parametrize(
    "assertion",
    [
        None,  # no assertion: the checker wants a 2xx
        # Sentry's default (migration 0055, the monitor form): > 199 and < 300
        {
            "root": {
                "op": "and",
                "children": [_check("greater_than", 199), _check("less_than", 300)],
            }
        },
        {
            "root": {
                "op": "and",
                "children": [_check("less_than", 300), _check("greater_than", 199)],
            }
        },
        {
            "root": {
                "op": "not",
                "operand": {
                    "op": "or",
                    "children": [_check("less_than", 200), _check("greater_than", 299)],
                },
            }
        },
    ],
)
def test_sentrys_forms_of_any_2xx_read_as_2xx(assertion: Any) -> None:
    assert expected_text(assertion) == "2xx"


def test_an_assertion_on_headers_or_body_is_named_not_guessed() -> None:
    header = {
        "op": "header_check",
        "key_op": {"cmp": "equals"},
        "key_operand": {"header_op": "literal", "value": "content-type"},
        "value_op": {"cmp": "always"},
        "value_operand": {"header_op": "none"},
    }
    assertion = {"root": {"op": "and", "children": [_check("equals", 200), header]}}
    assert expected_ranges(assertion) is None
    assert expected_text(assertion) == CUSTOM_ASSERTION
    assert expected_text({"root": "nonsense"}) == CUSTOM_ASSERTION
    assert expected_text([1, 2]) == CUSTOM_ASSERTION


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (True, "expected a status code, got True"),
        ([200, None], "None is not a status"),
        ("99", "status code 99 is outside 100-599"),
        ("600-610", "status code 600 is outside 100-599"),
    ],
)
def test_expected_status_refuses_what_sentry_cannot_hold(written: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UptimeMonitor.model_validate(
            {"name": "API", "url": "https://api.example.com/", "expected_status": written}
        )


@pytest.mark.parametrize(
    "root",
    [
        {"op": "and", "children": "x"},
        {"op": "status_code_check", "operator": {"cmp": "equals"}, "value": True},
        {"op": "status_code_check", "operator": {"cmp": "roughly"}, "value": 200},
        {"op": "status_code_check", "operator": "equals", "value": 200},
    ],
)
def test_malformed_status_trees_read_as_custom(root: Any) -> None:
    assert expected_ranges({"root": root}) is None


def test_a_string_code_and_not_equals_spellings_read_as_codes() -> None:
    assert parse_expected_status("204") == ((204, 204),)
    for spelling in ("not_equal", "not_equals"):
        root = {"op": "not", "operand": _check(spelling, 204)}
        assert expected_text({"root": root}) == "204"

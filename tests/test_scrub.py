"""The scrubbing engine: the corpus, the rules, and Hypothesis properties."""

from __future__ import annotations

import copy
import functools
import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from para_monitor_cli.scrub import FILTERED, Scrubber, ScrubConfig, classify, scrub_event
from para_monitor_cli.scrub.checker import check, direct_runner, load_corpus
from para_monitor_cli.scrub.text import is_card_number, scrub_text


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Any], ScrubConfig]:
    return load_corpus()


def test_corpus_has_no_leak_and_keeps_every_harmless_value(corpus) -> None:
    samples, config = corpus
    engine = Scrubber(config)
    report = check(
        samples,
        direct_runner(lambda e, h: engine.event(e)),
        detector=Scrubber(config),
        scrubber="ours",
    )
    assert report.samples == 19
    assert report.planted >= 35
    assert report.harmless >= 100
    assert report.leaks == []
    assert report.destroyed == []
    assert report.dropped == []
    assert report.hook_errors == []


def test_manifest_matches_the_corpus(corpus) -> None:
    samples, _ = corpus
    kinds = {p.kind for s in samples for p in s.planted}
    assert {
        "jwt",
        "anthropic_key",
        "openai_key",
        "aws_access_key",
        "github_token",
        "stripe_key",
        "slack_token",
        "google_api_key",
        "private_key",
        "card_number",
        "password",
    } <= kinds
    for sample in samples:
        text = json.dumps(sample.event)
        for planted in sample.planted:
            assert json.dumps(planted.value)[1:-1] in text


def test_only_planted_values_change_on_the_corpus(corpus) -> None:
    """Everything that is not at a planted secret's path is left exactly as it was."""
    from para_monitor_cli.scrub.checker import format_path, leaves

    samples, config = corpus
    engine = Scrubber(config)
    for sample in samples:
        out = engine.event(sample.event)
        planted_paths = {p.path for p in sample.planted}
        after = {format_path(p): v for p, v in leaves(out)}
        for path, value in leaves(sample.event):
            where = format_path(path)
            if where not in planted_paths and not any(
                where.startswith((p + "[", p + ".")) for p in planted_paths
            ):
                assert after.get(where) == value, (sample.name, where)


def test_seed_naive_filter_leaks_on_the_corpus(corpus) -> None:
    samples, config = corpus

    def filter_sensitive_data(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
        for field in ["password", "token", "api_key", "secret"]:
            if field in event:
                event[field] = "[FILTERED]"
        return event

    report = check(
        samples, direct_runner(filter_sensitive_data), detector=Scrubber(config), scrubber="seed"
    )
    paths = {leak.path for leak in report.leaks}
    assert "request.headers.Authorization" in paths
    assert "exception.values[0].stacktrace.frames[1].vars.password" in paths
    assert len(report.leaks) > 40


def test_input_is_not_mutated_and_clean_events_are_returned_as_is(corpus) -> None:
    samples, config = corpus
    engine = Scrubber(config)
    before = json.dumps([s.event for s in samples], sort_keys=True)
    for s in samples:
        engine.event(s.event)
    assert json.dumps([s.event for s in samples], sort_keys=True) == before
    clean = {"message": "hello", "extra": {"input_tokens": 3, "title": "Plan the secret party"}}
    assert engine.event(clean) is clean


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [
        ("apiKey", True),
        ("X-Api-Key", True),
        ("db_password", True),
        ("ANTHROPIC_API_KEY", True),
        ("refresh_token", True),
        ("client_secret", True),
        ("csrftoken", True),
        ("set-cookie", True),
        ("Authorization", True),
        ("x_csrftoken", True),
        ("XSRF-TOKEN", True),
        ("otp_code", True),
        ("input_tokens", False),
        ("output_tokens", False),
        ("token_count", False),
        ("password_reset_enabled", False),
        ("auth_provider", False),
        ("cache_key", False),
        ("token_type", False),
        ("title", False),
        ("event_id", False),
        ("trace_id", False),
        ("secretary", False),
        ("max_tokens", False),
        ("idempotency_key", False),
    ],
)
def test_key_rules(key: str, sensitive: bool) -> None:
    assert (classify(key) is not None) is sensitive


@pytest.mark.parametrize(
    ("text", "survives"),
    [
        ("Authorization: Bearer abcdef123456", "Authorization: Bearer "),
        ("postgres://app:pw-123456@db.supabase.co:5432/postgres", "postgres://app:"),
        ("redis://:pw-123456@redis:6379/0", "redis://:"),
        ("https://x.io/cb?page=2&access_token=abc123def", "page=2"),
        ('{"password": "hunter2", "input_tokens": 12}', '"input_tokens": 12'),
        ("user=bob&password=hunter2x&remember=true", "remember=true"),
        ("Login failed: password: hunter2x", "Login failed: password: "),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", ""),
        ("paid with 4242 4242 4242 4242 today", "paid with "),
        ("SET password_hash = $1", None),
        ("user[email]=ana@x.io&user[password]=hunter2x", "user[email]=[Filtered]&"),
        ("user%5Bemail%5D=ana&user%5Bpassword%5D=hunter2x", "user%5Bemail%5D=ana"),
        ("data[0][api_key]=abcdef123456", "data[0][api_key]="),
        ("filter[token_count]=5", None),
        ("curl -H 'authorization: BEARER abcdef123456'", "BEARER "),
    ],
)
def test_value_rules(text: str, survives: str | None) -> None:
    out = scrub_text(text)
    if survives is None:
        assert out == text
    else:
        assert out != text
        assert FILTERED in out
        assert survives in out
        assert scrub_text(out) == out


@pytest.mark.parametrize(
    "text",
    [
        "Plan the secret santa party",
        "Token validation failed for user-123",
        "2026-11-05T10:00:00.123Z",
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "550e8400-e29b-41d4-a716-446655440000",
        "ts 1762340000000",
        "time: 12:30:00 ok",
        "Change the wifi password at the office",
        "task-1234567890123456789",
    ],
)
def test_harmless_text_survives(text: str) -> None:
    assert scrub_text(text) == text


def test_card_numbers_need_luhn_and_a_network_prefix() -> None:
    assert is_card_number("4242424242424242")
    assert not is_card_number("4242424242424241")
    assert not is_card_number("1762340000123")


def test_logentry_and_sql_params_after_a_sensitive_name_are_filtered() -> None:
    event = {
        "logentry": {"message": "login for %s with password=%s", "params": ["ana", "hunter2x"]},
        "breadcrumbs": {
            "values": [
                {
                    "message": "UPDATE users SET password_hash = $1 WHERE id = $2",
                    "data": {"db.params": ["$2b$12$abc", "user-1"]},
                }
            ]
        },
    }
    out = scrub_event(event)
    assert out is not None
    assert out["logentry"]["params"] == ["ana", FILTERED]
    assert out["breadcrumbs"]["values"][0]["data"]["db.params"] == [FILTERED, "user-1"]


def test_configured_fields() -> None:
    engine = Scrubber(
        ScrubConfig(sensitive_fields=("internal_ref", "token"), safe_fields=("session",))
    )
    out = engine.event(
        {"extra": {"internal_ref": "x1", "my-token": "abc", "token_count": 3, "session": "keep-me"}}
    )
    assert out == {
        "extra": {
            "internal_ref": FILTERED,
            "my-token": FILTERED,
            "token_count": 3,
            "session": "keep-me",
        }
    }


def test_never_raises_and_drops_only_the_bad_part() -> None:
    class Weird:
        def __repr__(self) -> str:
            raise RuntimeError("boom")

    deep: Any = "x"
    for _ in range(200):
        deep = {"d": deep}
    out = scrub_event(
        {"extra": {"deep": deep, "obj": Weird()}, "message": "fine", 1: [b"token=abc123def"]}
    )  # type: ignore[dict-item]
    assert out is not None
    assert out["message"] == "fine"
    assert scrub_event("not an event") is None  # type: ignore[arg-type]


# ---- Hypothesis -----------------------------------------------------------------------------

_alnum = string.ascii_letters + string.digits
_rand = st.text(alphabet=_alnum, min_size=24, max_size=40)


def _luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        if is_card_number(prefix + d):
            return prefix + d
    raise AssertionError


SECRET_SHAPES = st.one_of(
    _rand.map(lambda r: "sk-ant-api03-" + r),
    _rand.map(lambda r: "sk-proj-" + r),
    st.text(alphabet=string.ascii_uppercase + string.digits, min_size=16, max_size=16).map(
        lambda r: "AKIA" + r
    ),
    st.text(alphabet=_alnum, min_size=36, max_size=40).map(lambda r: "ghp_" + r),
    _rand.map(lambda r: "sk_live_" + r),
    _rand.map(lambda r: "xoxb-1234-" + r),
    st.text(alphabet=_alnum, min_size=35, max_size=35).map(lambda r: "AIza" + r),
    st.tuples(_rand, _rand).map(lambda t: f"eyJhbGciOiJIUzI1NiJ9.eyJ{t[0]}.{t[1]}"),
    st.text(alphabet=string.digits, min_size=14, max_size=14).map(
        lambda r: _luhn_complete("4" + r)
    ),
)
INNOCENT_KEYS = st.sampled_from(["value", "data", "note", "config", "item", "x", "payload", "arg0"])
SENSITIVE_KEYS = st.sampled_from(
    [
        "password",
        "apiKey",
        "X-Api-Key",
        "client_secret",
        "refresh_token",
        "ANTHROPIC_API_KEY",
        "db_password",
        "Cookie",
        "Authorization",
        "sessionid",
    ]
)
HARMLESS_KEYS = st.sampled_from(
    [
        "title",
        "input_tokens",
        "token_count",
        "password_reset_enabled",
        "id",
        "created_at",
        "status",
        "notes",
        "tags",
        "project",
        "auth_provider",
    ]
)
HARMLESS_TEXT = st.sampled_from(
    [
        "Plan the secret santa party",
        "Weekly review",
        "claude-3-5-sonnet",
        "550e8400-e29b-41d4-a716-446655440000",
        "2026-11-05T10:00:00Z",
        "Token validation failed",
        "done",
        "tasks:user-123",
        "GET /api/tasks",
    ]
)
HARMLESS_LEAF = st.one_of(
    HARMLESS_TEXT,
    st.integers(-(10**9), 10**9),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
)
HARMLESS = st.recursive(
    HARMLESS_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(HARMLESS_KEYS, inner, max_size=4)
    ),
    max_leaves=20,
)
SURFACES = [
    "request.headers",
    "request.data",
    "extra",
    "contexts.app",
    "tags",
    "user",
    "breadcrumbs.values.0.data",
    "exception.values.0.stacktrace.frames.0.vars",
    "spans.0.data",
]


def _plant(base: Any, surface: str, depth: int, key: str, value: Any) -> dict[str, Any]:
    node: Any = {key: value}
    for i in range(depth):
        node = {f"level{i}": node, "sibling": base}
    for part in reversed(surface.split(".")):
        node = [node] if part == "0" else {part: node}
    assert isinstance(node, dict)
    return node


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    secret=SECRET_SHAPES,
    base=HARMLESS,
    surface=st.sampled_from(SURFACES),
    depth=st.integers(0, 6),
    how=st.sampled_from(["innocent-key", "in-text", "query", "json", "bearer"]),
    key=INNOCENT_KEYS,
)
def test_any_planted_secret_at_any_depth_and_surface_is_removed(
    secret, base, surface, depth, how, key
) -> None:
    wrapped = {
        "innocent-key": secret,
        "in-text": f"calling the API with {secret} now",
        "query": f"https://api.example.com/v1?page=2&key={secret}",
        "json": json.dumps({"note": "x", "value": secret}),
        "bearer": f"Bearer {secret}",
    }[how]
    event = _plant(base, surface, depth, key, wrapped)
    out = scrub_event(event)
    assert secret not in json.dumps(out)


@settings(max_examples=100, deadline=None)
@given(
    secret=st.text(alphabet=_alnum + "!@#$%^&*-_", min_size=1, max_size=30),
    key=SENSITIVE_KEYS,
    base=HARMLESS,
    surface=st.sampled_from(SURFACES),
    depth=st.integers(0, 6),
)
def test_any_value_under_a_sensitive_key_is_removed(secret, key, base, surface, depth) -> None:
    out = scrub_event(_plant(base, surface, depth, key, secret))
    assert out is not None
    node: Any = out
    for part in surface.split("."):
        node = node[int(part)] if part == "0" else node[part]
    for i in reversed(range(depth)):
        node = node[f"level{i}"]
    assert node[key] == FILTERED


@settings(max_examples=150, deadline=None)
@given(
    event=st.dictionaries(
        st.sampled_from(["extra", "contexts", "tags", "request", "message"]), HARMLESS
    )
)
def test_harmless_structures_survive_unchanged(event) -> None:
    assert scrub_event(event) == event


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)
TEXTY = st.text(alphabet=string.ascii_letters + string.digits + " =:&;'\"@/-_.{}[]%$?", max_size=80)
JSONY = st.recursive(
    st.one_of(TEXTY, st.integers(), st.booleans()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(TEXTY, SENSITIVE_KEYS), inner, max_size=4),
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(event=st.dictionaries(st.text(max_size=10), st.one_of(JSON, JSONY)))
def test_scrubbing_twice_equals_once_and_never_raises(event) -> None:
    once = scrub_event(event)
    assert once is not None
    assert scrub_event(once) == once
    json.dumps(once)


_GATE_ALPHABET = st.sampled_from(
    ["eyJ", "sk-", "sk_", "rk_", "live_", "ant-", "AKIA", "AIza", "ghp_", "github_pat_", "whsec_",
     "xoxb-", "re_", "sntry_", "sb_secret_", "hooks.slack.com/services/", ".", "-", "_", " ",
     "4", "5", "2", "0", "9", "A", "b", "Z", "abcdefgh", "12345678", "/", "=", "4242424242424242",
     "xox", "hooks.", "ASIA", "\n", "Bearer", "bearer ", "BASIC", "digest", "Token", "bot",
     "apikey", "api-key", "API-Key", "\t", "a", "t"]
)  # fmt: skip


def _flip(repl: Any, hits: set[str], m: Any) -> str:
    return str(repl(m, hits))


@settings(max_examples=400, deadline=None)
@given(st.lists(_GATE_ALPHABET, max_size=30).map("".join))
def test_rule_gates_are_necessary_conditions(text: str) -> None:
    """The cheap gates in front of the shape, card and scheme rules never hide a match: every match
    starts where a gate match starts, and the gated substitution equals the plain one."""
    import re

    from para_monitor_cli.scrub import text as rules

    for gate, pattern, repl in (
        (rules._SHAPE_GATE, rules._SHAPES, rules._shape_repl),
        (rules._CARD_GATE, rules._CARD, rules._card_repl),
        (rules._AUTH_GATE, rules._AUTH, rules._auth_repl),
    ):
        for start in range(len(text)):
            if pattern.match(text, start) is not None:
                assert gate.match(text, start) is not None, (pattern.pattern[:20], start)
        plain: set[str] = set()
        gated: set[str] = set()
        expected = pattern.sub(functools.partial(_flip, repl, plain), text)
        assert rules._gated_sub(gate, pattern, text, gated, repl) == expected
        assert gated == plain
    for m in rules._SHAPES.finditer(text):
        assert any(c in m.group(0) for c in rules._SHAPE_CHARS), m.group(0)
    flat = re.compile(  # the gate as it was, one flat alternation: the trie finds the same
        r"eyJ|sk[-_]|rk_|AKIA|ASIA|ABIA|ACCA|AIza|gh[pousr]_|github_pat_|whsec_|xox"
        r"|re_|sntr|sb_secret_|hooks\.slack\.com/"
    )
    assert [m.span() for m in flat.finditer(text)] == [
        m.span() for m in rules._SHAPE_GATE.finditer(text)
    ]


# ---- the event's shape: SDK-generated fields are skipped only in their own place ------------

_PLANTED = "sk-ant-api03-" + "Pm7fakeKey0123456789abcdefABCDEF"
_FRAME_FIELDS = [
    "filename",
    "abs_path",
    "function",
    "module",
    "lineno",
    "colno",
    "in_app",
    "package",
    "instruction_addr",
]
_SPAN_FIELDS = [
    "span_id",
    "parent_span_id",
    "trace_id",
    "same_process_as_parent",
    "start_timestamp",
    "timestamp",
    "status",
    "origin",
    "op",
]
_EVENT_FIELDS = ["event_id", "timestamp", "start_timestamp", "platform", "level", "type"]
_EVENT_TREES = ["sdk", "modules", "debug_meta"]
_SKIPPED_NAMES = sorted(set(_FRAME_FIELDS + _SPAN_FIELDS + _EVENT_FIELDS + _EVENT_TREES))
# places where these names are user data, not the SDK's
_ELSEWHERE = [
    "extra",
    "extra.nested",
    "tags",
    "user",
    "contexts.app",
    "contexts.runtime",
    "request.data",
    "breadcrumbs.values.0.data",
    "logentry",
    "exception.values.0",
    "exception.values.0.stacktrace",
    "exception.values.0.stacktrace.frames.0.vars",
    "spans.0.data",
    "sdk_settings",
]


@pytest.mark.parametrize("surface", _ELSEWHERE)
@pytest.mark.parametrize("name", _SKIPPED_NAMES)
def test_a_secret_under_an_sdk_field_name_elsewhere_is_removed(name: str, surface: str) -> None:
    event = _plant({}, surface, 0, name, f"calling with {_PLANTED}")
    out = scrub_event(event)
    assert _PLANTED not in json.dumps(out), (name, surface)
    # a whole subtree under the name, too
    event = _plant({}, surface, 0, name, {"inner": {"k": _PLANTED}})
    assert _PLANTED not in json.dumps(scrub_event(event)), (name, surface)


@pytest.mark.parametrize("name", _FRAME_FIELDS)
def test_a_frame_field_that_is_not_a_scalar_is_scrubbed(name: str) -> None:
    frame = {name: {"note": _PLANTED}, "vars": {"x": 1}}
    for where in ("exception", "threads"):
        event = {where: {"values": [{"stacktrace": {"frames": [frame]}}]}}
        assert _PLANTED not in json.dumps(scrub_event(event)), (where, name)
    assert _PLANTED not in json.dumps(scrub_event({"stacktrace": {"frames": [frame]}}))


@pytest.mark.parametrize("name", _SPAN_FIELDS + _EVENT_FIELDS)
def test_span_and_top_level_fields_that_are_not_scalars_are_scrubbed(name: str) -> None:
    for event in (
        {"spans": [{name: [_PLANTED]}]},
        {"contexts": {"trace": {name: {"x": _PLANTED}}}},
        {name: {"x": _PLANTED}},
    ):
        assert _PLANTED not in json.dumps(scrub_event(event)), event


def test_frame_vars_source_lines_and_span_payloads_are_still_scrubbed() -> None:
    frame = {
        "function": "login",
        "module": "app.api.auth",
        "filename": "app/api/auth.py",
        "lineno": 88,
        "vars": {"token": "abc123def456"},
        "context_line": f"    client = Anthropic(api_key='{_PLANTED}')",
        "pre_context": [f"KEY = '{_PLANTED}'"],
        "post_context": [f"# {_PLANTED}"],
    }
    span = {
        "span_id": "00f067aa0ba902b7",
        "op": "db",
        "description": f"SELECT 1 -- {_PLANTED}",
        "data": {"url": f"https://x.io/?api_key={_PLANTED}"},
    }
    event = {
        "exception": {"values": [{"value": _PLANTED, "stacktrace": {"frames": [frame]}}]},
        "spans": [span],
        "contexts": {"trace": dict(span)},
    }
    out = scrub_event(event)
    assert _PLANTED not in json.dumps(out)
    assert out is not None
    kept = out["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert kept["function"] == "login"
    assert kept["lineno"] == 88
    assert kept["vars"]["token"] == FILTERED


def test_a_configured_field_with_an_sdk_name_is_filtered_in_the_sdk_place_too() -> None:
    engine = Scrubber(ScrubConfig(sensitive_fields=("module", "op")))
    event = {
        "exception": {"values": [{"stacktrace": {"frames": [{"module": "app.secret_mod"}]}}]},
        "spans": [{"op": "db.query"}],
    }
    out = engine.event(event)
    assert out is not None
    assert out["exception"]["values"][0]["stacktrace"]["frames"][0]["module"] == FILTERED
    assert out["spans"][0]["op"] == FILTERED


def test_sdk_generated_fields_are_left_as_they_are() -> None:
    event = {
        "event_id": "9f1c2a7b3e4d4c5b8a6f0e1d2c3b4a59",
        "platform": "python",
        "sdk": {"name": "sentry.python", "version": "2.75.0"},
        "modules": {"sentry-sdk": "2.75.0"},
        "exception": {
            "values": [
                {
                    "stacktrace": {
                        "frames": [{"function": "f", "module": "m", "lineno": 1, "in_app": True}]
                    }
                }
            ]
        },
    }
    assert scrub_event(event) is event


_SDK_FIELD_SURFACES = st.sampled_from(
    ["extra", "tags", "user", "contexts.app", "request.data", "breadcrumbs.values.0.data",
     "exception.values.0.stacktrace.frames.0.vars", "spans.0.data", "logentry", "unknown"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    secret=SECRET_SHAPES,
    base=HARMLESS,
    surface=_SDK_FIELD_SURFACES,
    depth=st.integers(0, 4),
    name=st.sampled_from(_SKIPPED_NAMES),
)
def test_any_secret_under_an_sdk_field_name_outside_its_place_is_removed(
    secret, base, surface, depth, name
) -> None:
    out = scrub_event(_plant(base, surface, depth, name, secret))
    assert secret not in json.dumps(out)


def test_statement_params_in_spans_and_a_bare_breadcrumb_are_filtered() -> None:
    event = {
        "spans": [
            {
                "op": "db",
                "description": "UPDATE users SET password_hash = %s WHERE id = %s",
                "data": {"db.params": ["$2b$12$abcdefgh", "user-1"]},
            }
        ]
    }
    out = scrub_event(event)
    assert out is not None
    assert out["spans"][0]["data"]["db.params"] == [FILTERED, "user-1"]
    crumb = {"message": "AUTH with token=%s for %s", "data": {"params": ["t-123456789", "ana"]}}
    scrubbed = Scrubber().breadcrumb(crumb)
    assert scrubbed is not None
    assert scrubbed["data"]["params"] == [FILTERED, "ana"]


def _luhn_reference(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.digits + "٤٢", min_size=1, max_size=24))
def test_luhn_matches_the_textbook_loop(digits: str) -> None:
    from para_monitor_cli.scrub.text import luhn_ok

    assert luhn_ok(digits) is _luhn_reference(digits)


# the value rules' patterns before they were made linear-time (possessive names, schemes
# anchored at the start of their run): the rewrites must replace exactly the same text
_REFERENCE_PATTERNS = {
    "_URL_PASSWORD": r"([A-Za-z][A-Za-z0-9+.\-]*://[^\s/@:?#\[]*):([^\s/@?#\[][^\s/@?#]*)@",
    "_URL_TOKEN": r"([A-Za-z][A-Za-z0-9+.\-]*://)([A-Za-z0-9_\-]{20,})@",
    "_QUOTED_PAIR": r"([\"'])([^\"'\\\n]{1,64})\1(\s*:\s*)"
    r"(?:([\"'])((?:\\.|(?!\4)[^\\])*)\4|(-?\d[\d.]*))",
}
_PATTERN_TEXT = st.lists(
    st.sampled_from(
        ["https", "redis", "1", "9+", "a", "Z", "-", ".", "+", "://", ":", "@", "=", " = ", "'",
         '"', "\\", "[0]", "]", "/", "?", "#", " ", "\t", "\n", ";", "&", ",", "_", "pw", "x" * 70,
         "eyJhbGciOiJIUzI1NiJ9", "0123456789abcdefghij", "password", "token", "\\'", '\\"',
         "\\\n"]
    ),
    max_size=24,
).map("".join)  # fmt: skip


def _mark(m: Any) -> str:
    return "<" + "|".join(g or "" for g in m.groups()) + ">"


def _mark_url(m: Any) -> str:
    # the rules keep the scheme group as it is: it may now start earlier, at leading
    # non-letters of its run, which the reference left in place outside the match
    return m.group(1) + "<" + "|".join(g or "" for g in m.groups()[1:]) + ">"


@settings(max_examples=500, deadline=None)
@given(_PATTERN_TEXT)
def test_linear_time_patterns_replace_what_the_reference_patterns_replace(text: str) -> None:
    import re

    from para_monitor_cli.scrub import text as rules

    for name, reference in _REFERENCE_PATTERNS.items():
        pattern: re.Pattern[str] = getattr(rules, name)
        mark = _mark_url if name.startswith("_URL") else _mark
        assert pattern.sub(mark, text) == re.sub(reference, mark, text), name


# how name: value pairs were found before the colon led the search (a name tried at every
# position, behind a look-behind)
_COLON_REFERENCE = r"(?<![\w\"'.\-])([A-Za-z][\w\-]{1,63}):[ \t]*(?=([^\s,;\"'\[][^\s,;\"']{3,}))"


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["password", "token", "pw", "session", "ab", "Z9", "x" * 70, ":", ": ", ":\t", " ",
             "-", ".", "'", '"', "[", ",", ";", "é", "1", "_", "abcdef", "//x", "bearer", "\n"]
        ),
        max_size=24,
    ).map("".join)
)  # fmt: skip
def test_colon_pairs_are_the_pairs_the_reference_pattern_finds(text: str) -> None:
    import re

    from para_monitor_cli.scrub import text as rules
    from para_monitor_cli.scrub.keys import classify

    spans: list[tuple[int, int]] = []
    for m in re.finditer(_COLON_REFERENCE, text):
        value = m.group(2)
        kind = classify(m.group(1))
        if value.lower() in rules._SCHEME_WORDS or value.startswith("//"):
            continue
        if not kind or kind == "session" or (spans and m.start(2) < spans[-1][1]):
            continue
        spans.append(m.span(2))
    expected = text
    for start, end in reversed(spans):
        expected = expected[:start] + FILTERED + expected[end:]
    assert rules._colon(text, set(), classify) == expected


# how name=value pairs were found before the '=' led the search: two substitutions, each
# trying a name at every position behind a look-behind
_KV_REFERENCE = r"(?<![\w.\-])([A-Za-z_][\w.\-\[\]%]{0,63})(\s*=\s*)([^\s&;,\"'<>\[][^\s&;,\"'<>]*)"
_KV_LITERAL_REFERENCE = (
    r"(?<![\w.\-])([A-Za-z_][\w.\-]{0,63})(\s*=\s*)([\"'])((?:\\.|(?!\3)[^\\\n])+)\3"
)


def _kv_reference(text: str) -> str:
    import re

    from para_monitor_cli.scrub import text as rules
    from para_monitor_cli.scrub.keys import classify

    def bare(m: Any) -> str:
        kind = rules._name_kind(m.group(1), classify)
        if not kind or rules._PLACEHOLDER_VALUE.fullmatch(m.group(3)):
            return str(m.group(0))
        if m.group(2) != "=" and m.group(3).isidentifier():
            return str(m.group(0))
        return f"{m.group(1)}{m.group(2)}{FILTERED}"

    def quoted(m: Any) -> str:
        value = m.group(4)
        if value == FILTERED or rules._PLACEHOLDER_VALUE.fullmatch(value):
            return str(m.group(0))
        if not classify(m.group(1)):
            return str(m.group(0))
        return f"{m.group(1)}{m.group(2)}{m.group(3)}{FILTERED}{m.group(3)}"

    return re.sub(_KV_LITERAL_REFERENCE, quoted, re.sub(_KV_REFERENCE, bare, text))


@settings(max_examples=700, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["password", "api_key", "token_count", "user", "pw", "x" * 70, "=", " = ", " ", "'",
             '"', "\\", "[", "]", "%5B", "%5d", "%", "&", ";", ",", "1", "_", ".", "-", "é",
             "hunter2x", "%s", "$1", "await", "\n", "[Filtered]", "<", "?"]
        ),
        max_size=24,
    ).map("".join)
)  # fmt: skip
def test_name_value_pairs_filter_what_the_reference_patterns_filter(text: str) -> None:
    """Found from the '=' back, pairs are those the two forward patterns found, and more: a
    pair inside another's value (``next=/login?password=...``) is no longer missed. So what is
    filtered is a superset: the reference finds nothing more to filter, and with one '=' the
    two agree exactly."""
    from para_monitor_cli.scrub import text as rules
    from para_monitor_cli.scrub.keys import classify

    ours = rules._kv(text, set(), classify)
    assert _kv_reference(ours) == ours
    if text.count("=") <= 1:
        assert ours == _kv_reference(text)
    assert rules._kv(ours, set(), classify) == ours


def test_checked_in_corpus_is_what_the_builder_writes() -> None:
    import json
    import runpy
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    builder = runpy.run_path(str(root / "scripts" / "build_scrub_corpus.py"))
    corpus, manifest = builder["build"]()
    corpus_dir = root / "para_monitor_cli" / "scrub" / "corpus"
    assert json.loads((corpus_dir / "events.json").read_text(encoding="utf-8")) == corpus
    assert json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8")) == manifest


def _changed_leaves(before: Any, after: Any, path: tuple[Any, ...] = ()) -> set[tuple[Any, ...]]:
    """The paths of the scalars that differ between an input tree and its scrubbed copy."""
    if after is before:
        return set()
    if isinstance(before, dict) and isinstance(after, dict):
        return {p for k in before for p in _changed_leaves(before[k], after[k], (*path, str(k)))}
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return {p for i, b in enumerate(before) for p in _changed_leaves(b, after[i], (*path, i))}
    return set() if before == after else {path}


def test_warm_fast_paths_equal_the_cold_traced_walk(corpus) -> None:
    """The untraced walk's inlined memo hits and sensitive scalars give what a cold engine
    gives, and the traced walk (findings) names exactly the values they change."""
    samples, config = corpus
    warm = Scrubber(config)
    for s in samples:
        warm.event(s.event)
    for s in samples:
        cold = Scrubber(config)
        out = warm.event(s.event)
        assert out == cold.event(s.event)
        assert {f.path for f in cold.findings(s.event)} == _changed_leaves(s.event, out)


def test_in_place_gives_the_copying_walks_result_in_the_event_itself(corpus) -> None:
    """The hooks' in-place view (sharing the engine's memos) changes the event it is given to
    exactly what the copying walk returns; the engine itself still copies."""
    samples, config = corpus
    engine = Scrubber(config)
    owning = engine.in_place()
    for s in samples:
        expected = Scrubber(config).event(s.event)
        mine = copy.deepcopy(s.event)
        assert owning.event(mine) is mine
        assert mine == expected
        untouched = copy.deepcopy(s.event)
        assert engine.event(untouched) == expected
        assert untouched == s.event


@settings(max_examples=200, deadline=None)
@given(
    event=st.dictionaries(st.one_of(st.text(max_size=10), SENSITIVE_KEYS), st.one_of(JSON, JSONY))
)
def test_in_place_equals_the_copying_walk_on_any_event(event) -> None:
    expected = Scrubber().event(event)
    mine = copy.deepcopy(event)
    assert Scrubber().in_place().event(mine) == expected


def test_the_memos_are_bounded_in_strings_and_in_characters() -> None:
    from para_monitor_cli.scrub.text import (
        CLEAN_MEMO_LIMIT,
        CLEAN_MEMO_MAX_LEN,
        MEMO_CHARS,
        TextRules,
    )

    def held(rules: TextRules) -> int:
        return sum(map(len, rules.clean)) + sum(len(out) for out, _, _ in rules.dirty.values())

    rules = TextRules()
    for i in range(CLEAN_MEMO_LIMIT + 100):  # many short clean strings
        rules.scrub(f"item-{i}")
    assert 0 < len(rules.clean) <= CLEAN_MEMO_LIMIT
    rules.forget()
    long_clean = "a plain note, nothing secret in it. " * 55  # 1980 characters
    for i in range(3 * MEMO_CHARS // len(long_clean)):
        text = f"{i:08d} {long_clean}"
        assert rules.scrub(text) == text
        if i % 97 == 0:
            assert rules.chars == held(rules) <= MEMO_CHARS + CLEAN_MEMO_MAX_LEN
    rules.forget()
    for i in range(3 * MEMO_CHARS // len(long_clean)):  # long strings that held a secret
        text = f"password=hunter{i:06d} {long_clean}"
        assert rules.scrub(text) == f"password={FILTERED} {long_clean}"
        if i % 97 == 0:
            assert rules.chars == held(rules) <= MEMO_CHARS + CLEAN_MEMO_MAX_LEN
    assert 0 < len(rules.dirty) <= CLEAN_MEMO_LIMIT // 4


def test_sensitive_empty_values_at_the_depth_limit_are_filtered_as_before() -> None:
    from para_monitor_cli.scrub.engine import MAX_DEPTH

    engine = Scrubber()
    for depth in (MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1):
        event: dict[str, Any] = {"password": "", "api_key": "k-1234567"}
        for _ in range(depth):
            event = {"extra": event}
        once = engine.event({"extra": event})
        twice = Scrubber().findings({"extra": event})
        assert once is not None
        assert json.dumps(once).count("k-1234567") == 0
        assert {f.path for f in twice} == _changed_leaves({"extra": event}, once)


_ADDRESS_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            ["<x.Request object at ", ">", " ", "=", ":", "password", "Bearer ", "token ", "'",
             '"', ".", "-", "/", "_", "@", "://", "user", "hooks.slack.com/services/", "AKIA",
             "eyJabcdefgh.", "4242 4242 4242 ", "5", "x", "AUTH ", "?", "%s"]
        ),
        st.text("0123456789abcdef", min_size=1, max_size=18).map(lambda h: "0x" + h),
    ),
    max_size=16,
).map("".join)  # fmt: skip


@settings(max_examples=700, deadline=None)
@given(_ADDRESS_TEXT)
def test_a_text_is_clean_exactly_when_it_is_clean_with_its_addresses_zeroed(text: str) -> None:
    """What lets the memo know a repr at new addresses from the same repr before."""
    from para_monitor_cli.scrub import text as rules
    from para_monitor_cli.scrub.keys import classify

    zeroed = rules._zero_addresses(text)
    assert len(zeroed) == len(text)
    clean = rules._scrub(text, set(), classify) == text
    assert clean == (rules._scrub(zeroed, set(), classify) == zeroed)


@settings(max_examples=700, deadline=None)
@given(_ADDRESS_TEXT)
def test_addresses_are_the_ones_the_look_behind_led_pattern_finds(text: str) -> None:
    import re

    from para_monitor_cli.scrub import text as rules

    reference = r"(?<![\w.\-])0x[0-9a-f]{4,16}(?![\w.\-])"
    assert [m.span() for m in rules._ADDRESS.finditer(text)] == [
        m.span() for m in re.finditer(reference, text)
    ]


def test_a_repr_at_a_new_address_is_known_clean_and_a_secret_beside_it_is_not() -> None:
    engine = Scrubber()
    first = {"extra": {"request": "<starlette.requests.Request object at 0x7f5b328fa810>"}}
    assert engine.event(first) is first
    again = {"extra": {"request": "<starlette.requests.Request object at 0x7f5b328f0000>"}}
    assert engine.event(again) is again
    leaky = {"extra": {"request": "<Request object at 0x7f5b328f0000> password=hunter2x"}}
    assert engine.event(leaky) == {
        "extra": {"request": "<Request object at 0x7f5b328f0000> password=[Filtered]"}
    }

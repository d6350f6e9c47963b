"""The rules for credentials in SQL, credentials under generic names, and personal data in free
text: one direct test per pattern, the harmless look-alikes they must keep, and Hypothesis
properties where a rule has a shape."""

from __future__ import annotations

import json
import string
import urllib.parse
from typing import Any

import pytest
import sentry_sdk
from hypothesis import given, settings
from hypothesis import strategies as st

from para_monitor_cli.scrub import FILTERED, Scrubber, ScrubConfig, scrub_event, scrub_text
from para_monitor_cli.scrub.text import looks_like_credential

# ---- credentials inside SQL ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "kept"),
    [
        # Postgres
        ("ALTER USER app WITH PASSWORD 'pw-Secret-1'", "ALTER USER app WITH PASSWORD '"),
        ("ALTER ROLE app ENCRYPTED PASSWORD 'pw-Secret-1' VALID UNTIL 'infinity'", "VALID UNTIL"),
        ("CREATE ROLE app LOGIN PASSWORD 'pw-Secret-1'", "CREATE ROLE app LOGIN PASSWORD '"),
        ("ALTER USER app PASSWORD $$pw-Secret-1$$", "PASSWORD $$"),
        ("ALTER USER app PASSWORD $tag$pw-Secret-1$tag$", "PASSWORD $tag$"),
        (
            "CREATE USER MAPPING FOR a SERVER s OPTIONS (user 'a', password 'pw-Secret-1')",
            "user 'a'",
        ),
        ("ALTER USER app PASSWORD 'it''s-pw-Secret-1'", "PASSWORD '"),
        # MySQL / MariaDB
        ("CREATE USER 'app'@'%' IDENTIFIED BY 'pw-Secret-1'", "IDENTIFIED BY '"),
        ("ALTER USER 'app'@'%' IDENTIFIED WITH mysql_native_password BY 'pw-Secret-1'", "BY '"),
        ("SET PASSWORD FOR 'app'@'localhost' = PASSWORD('pw-Secret-1')", "PASSWORD('"),
        ("SET PASSWORD FOR 'app'@'localhost' = 'pw-Secret-1'", "= '"),
        ("SET PASSWORD = 'pw-Secret-1'", "SET PASSWORD = '"),
        ("GRANT ALL ON db.* TO 'app'@'%' IDENTIFIED BY 'pw-Secret-1'", "GRANT ALL ON db.*"),
        # MSSQL (a name = 'value' form, as before)
        ("CREATE LOGIN app WITH PASSWORD = 'pw-Secret-1', CHECK_POLICY = OFF", "CHECK_POLICY"),
        # Oracle: bare or double-quoted values, CONNECT user/password@db
        ("ALTER USER scott IDENTIFIED BY pwSecret1 ACCOUNT UNLOCK", "ACCOUNT UNLOCK"),
        ('CREATE USER scott IDENTIFIED BY "pw-Secret-1"', 'IDENTIFIED BY "'),
        ("CREATE DATABASE LINK l CONNECT TO u IDENTIFIED BY pwSecret1 USING 'x'", "USING 'x'"),
        ("CONNECT scott/pwSecret1@orcl", "CONNECT scott/"),
        # SQLite (SQLCipher)
        ("PRAGMA key = 'pw-Secret-1'", "PRAGMA key = '"),
        ("PRAGMA main.rekey = 'pw-Secret-1'", "PRAGMA main.rekey"),
        ("ATTACH DATABASE 'enc.db' AS enc KEY 'pw-Secret-1'", "AS enc KEY '"),
        # connection strings inside queries
        ("SELECT dblink_connect('host=h user=u password=pw-Secret-1 dbname=d')", "host=h"),
        ("SELECT * FROM OPENROWSET('SQLNCLI', 'Server=h;Uid=sa;Pwd=pw-Secret-1;', 'q')", "Uid=sa"),
        ("INSERT INTO jobs VALUES ('postgresql://u:pw-Secret-1@h/db')", "postgresql://u:"),
    ],
)
def test_sql_credentials(statement: str, kept: str) -> None:
    out = scrub_text(statement)
    assert "pw-Secret-1" not in out
    assert "pwSecret1" not in out
    assert FILTERED in out
    assert kept in out
    assert scrub_text(out) == out


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER USER app PASSWORD NULL",
        "ALTER ROLE reporting VALID UNTIL 'infinity'",
        "SELECT id FROM users WHERE password_reset_enabled = true AND id = $1",
        "UPDATE users SET password_hash = $1 WHERE id = $2",
        "CREATE USER 'app'@'%' IDENTIFIED BY RANDOM PASSWORD",
        "ALTER USER 'app'@'%' PASSWORD EXPIRE INTERVAL 90 DAY",
        "Change the wifi password at the office",
        '{"password_policy": "strong"}',
    ],
)
def test_sql_look_alikes_are_kept(statement: str) -> None:
    assert scrub_text(statement) == statement


# no quote (it would end the literal), no separator a connection string's value stops at
_PASSWORDS = st.text(string.ascii_letters + string.digits + "!#%*+-./:?@^_~", min_size=6)
_SQL_FORMS = st.sampled_from(
    [
        "ALTER USER {u} PASSWORD '{p}'",
        "ALTER USER {u} WITH PASSWORD '{p}'",
        "alter role {u} with encrypted password '{p}' valid until 'infinity'",
        "CREATE USER {u} WITH LOGIN PASSWORD '{p}'",
        "CREATE USER '{u}'@'%' IDENTIFIED BY '{p}'",
        "create user '{u}'@'localhost' identified with caching_sha2_password by '{p}'",
        "SET PASSWORD FOR '{u}'@'%' = PASSWORD('{p}')",
        "set password for {u} = '{p}'",
        "GRANT SELECT ON db.* TO '{u}'@'%' IDENTIFIED BY '{p}'",
        "CREATE LOGIN {u} WITH PASSWORD = '{p}'",
        "ALTER LOGIN {u} WITH PASSWORD = '{p}' OLD_PASSWORD = 'old-{p}'",
        'ALTER USER {u} IDENTIFIED BY "{p}"',
        "PRAGMA key = '{p}'",
        "ATTACH DATABASE 'x.db' AS {u} KEY '{p}'",
        "ALTER USER {u} PASSWORD $pw${p}$pw$",
        "SELECT * FROM dblink('host=db user={u} password={p}', 'SELECT 1')",
        "SELECT 'postgresql://{u}:{p}@db/para'",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    form=_SQL_FORMS,
    password=_PASSWORDS,
    user=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
    before=st.sampled_from(["", "BEGIN; ", "-- provision\n", "/* x */ "]),
    after=st.sampled_from(["", ";", "; COMMIT;", " -- done"]),
)
def test_a_password_in_any_sql_form_is_removed(form, password, user, before, after) -> None:
    """Any dialect's password-setting statement, any password (no quote in it: it would end the
    literal), in a breadcrumb message or a span description."""
    if "://" in form:  # in a URL the password is percent-encoded, as URLs require
        password = urllib.parse.quote(password, safe="")
    statement = before + form.format(u=user, p=password) + after
    out = scrub_event(
        {
            "spans": [{"op": "db", "description": statement}],
            "breadcrumbs": {"values": [{"category": "query", "message": statement}]},
        }
    )
    assert out is not None
    for text in (out["spans"][0]["description"], out["breadcrumbs"]["values"][0]["message"]):
        assert password not in text.replace(FILTERED, "")


# ---- Sentry's own tokens -------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["sntryu_", "sntrys_", "sntrya_", "sntryi_"])
def test_a_sentry_auth_token_in_free_text_is_removed(prefix: str) -> None:
    """Every prefix of Sentry's AuthTokenType (src/sentry/types/token.py); the shape once read
    ``sntr[ysu]_`` and matched none of them."""
    token = prefix + "eyJpYXQiOjE3MDAwMDAwMDB9_Pm7fakeTokenBody0123456789"
    for text in (f"upload failed with {token}", f"note: {token}"):
        assert token not in scrub_text(text)
    assert scrub_event({"extra": {"note": f"cli used {token}"}})["extra"]["note"] != (
        f"cli used {token}"
    )
    assert scrub_text("sntry_docs_mention") == "sntry_docs_mention"


# ---- credentials under generic names -----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("gateway_key", "gk_live_7Hq2Lm9Xv4Rt8Np3Ks6Wd1Zb"),
        ("partnerKey", "pk_test_51PmFakePublishable0123456789ab"),
        ("merchant-key", "rk_live_51PmFakeRestricted0123456"),
        ("key", "whsec_PmFakeWebhook0123456789abcd"),
        ("upload_key", "Xk29fQa8LmZ0pR7vT3nB5wYc4Ej1Uh6s"),
        ("LICENSE_KEYS", "Zr8Kq2Wm5Tn9Xv3Lb7Hc4JdP6"),
    ],
)
def test_a_credential_under_a_generic_key_name_is_removed(key: str, value: str) -> None:
    assert looks_like_credential(value)
    out = scrub_event({"extra": {key: value}, "tags": {"pair": [key, value]}})
    assert out == {"extra": {key: FILTERED}, "tags": {"pair": [key, FILTERED]}}
    for text in (f"{key}: {value}", f"{key}={value}", json.dumps({key: value})):
        assert value not in scrub_text(text)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("cache_key", "user:123:profile"),
        ("idempotency_key", "checkout-2026-11-05-user-123"),
        ("lookup_key", "5d41402abc4b2a76b9719d911017c592"),  # a hex digest
        ("partition_key", "3f2c8a9e-5b1d-4c7e-9a0f-6d2b8e4c1a73"),  # a UUID
        ("sort_key", "created_at"),
        ("object_key", "uploads/2026/11/avatar.png"),
        ("primary_key", "id"),
        ("cache_key", "MyCacheEntryForUserProfiles2"),  # words, not random
        ("key", "theme"),
        ("key", 42),
    ],
)
def test_harmless_values_under_generic_key_names_are_kept(key: str, value: Any) -> None:
    event = {"extra": {key: value}}
    assert scrub_event(event) == event
    text = f"{key}: {value}"
    assert scrub_text(text) == text


def test_harmless_names_keep_hashes_ids_and_token_metadata() -> None:
    event = {
        "extra": {
            "etag": '"33a64df551425fcc55e4d42a148795d9f25f89d4"',
            "commit_sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
            "request_id": "3f2c8a9e-5b1d-4c7e-9a0f-6d2b8e4c1a73",
            "oauth": {"expires_in": 3600, "scope": "openid email profile", "token_type": "Bearer"},
            "cookie_names": ["theme", "lang"],
        }
    }
    assert scrub_event(event) == event


_RANDOM = st.text(string.ascii_letters + string.digits, min_size=24, max_size=48).filter(
    lambda v: (
        any(c.isupper() for c in v)
        and any(c.islower() for c in v)
        and any(c.isdigit() for c in v)
        and looks_like_credential(v)
    )
)
_PREFIX = st.tuples(
    st.from_regex(r"[a-z]{2,5}", fullmatch=True),
    st.sampled_from(["live", "test"]),
    st.text(string.ascii_letters + string.digits, min_size=16, max_size=32).filter(
        lambda v: any(c.isdigit() for c in v)
    ),
).map(lambda t: f"{t[0]}_{t[1]}_{t[2]}")
_KEY_NAMES = st.tuples(
    st.lists(st.sampled_from(["gateway", "partner", "shop", "upload", "x", "v2"]), max_size=3),
    st.sampled_from(["key", "Key", "KEY", "keys"]),
    st.sampled_from(["_", "-", ""]),
).map(lambda t: t[2].join([*t[0], t[1]]) if t[2] or not t[0] else "".join(t[0]) + "Key")


@settings(max_examples=200, deadline=None)
@given(name=_KEY_NAMES, value=st.one_of(_RANDOM, _PREFIX), where=st.sampled_from(["dict", "text"]))
def test_a_credential_value_under_any_key_name_is_removed(
    name: str, value: str, where: str
) -> None:
    if where == "dict":
        out = json.dumps(scrub_event({"extra": {"config": {name: value}}}))
    else:
        out = scrub_text(f"loaded {name}={value} and {name}: {value}")
    assert value not in out


@settings(max_examples=200, deadline=None)
@given(
    name=_KEY_NAMES,
    value=st.one_of(
        st.text("0123456789abcdef", min_size=32, max_size=64),  # digests
        st.uuids().map(str),
        st.from_regex(r"[a-z]+:[0-9]{1,6}:[a-z]+", fullmatch=True),  # cache keys
        st.from_regex(r"[a-z]{3,12}(-[a-z0-9]{1,8}){0,4}", fullmatch=True),  # slugs
    ),
)
def test_hashes_ids_and_cache_keys_under_any_key_name_are_kept(name: str, value: str) -> None:
    event = {"extra": {name: value}}
    assert scrub_event(event) == event


# ---- personal data in free text -------------------------------------------------------------

_TEXT_PLACES = {
    "log message": lambda t: {"logentry": {"message": t, "formatted": t}},
    "breadcrumb": lambda t: {"breadcrumbs": {"values": [{"message": t, "data": {"note": t}}]}},
    "span description": lambda t: {"spans": [{"op": "http.client", "description": t}]},
    "exception value": lambda t: {"exception": {"values": [{"type": "E", "value": t}]}},
    "query string": lambda t: {
        "request": {"query_string": f"q={t}", "url": f"https://x.io/?q={t}"}
    },
    "extra": lambda t: {"extra": {"note": t}},
}


@pytest.mark.parametrize(
    ("pii", "context"),
    [
        ("ana.silva@example.com", "reset requested by {} today"),
        ("ana.silva%40example.com", "email={}&lang=en"),
        ("o'brien+tag@mail.example.co.uk", "to: {}."),
        ("203.0.113.42", "client {} connected"),
        ("10.0.0.12", "peer={}:8080"),
        ("2001:db8:85a3::8a2e:370:7334", "from {} via proxy"),
        ("fe80::1ff:fe23:4567:890a", "[{}]"),
        ("::ffff:203.0.113.42", "client {}"),
        ("4111 1111 1111 1111", "card {} declined"),
    ],
)
@pytest.mark.parametrize("place", list(_TEXT_PLACES))
def test_personal_data_in_free_text_is_removed(pii: str, context: str, place: str) -> None:
    out = scrub_event(_TEXT_PLACES[place](context.format(pii)))
    text = json.dumps(out)
    assert pii.rsplit("@", maxsplit=1)[-1] not in text or "@" not in pii
    assert pii not in text
    assert FILTERED in text


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3.4",
        "release 2.10.0.1",
        "para-autopilot@1.2.3.4",
        "v10.0.0.1",
        "1.2.3.4.5",
        "listening on 0.0.0.0:8000",
        "health on 127.0.0.1:8001 and [::1]:8002",
        "at 12:30:00 on 2026-11-05T10:00:00.123Z",
        "550e8400-e29b-41d4-a716-446655440000",
        "theme=dark; lang=en",
        "scope: openid email profile",
        "expires_in=3600",
        "std::vector and Foo::bar",
        "mac 00:1a:2b:3c:4d:5e",
        "https://ana@example.com/path",
        "see docs@ section 3",
    ],
)
def test_personal_data_look_alikes_are_kept(text: str) -> None:
    assert scrub_text(text) == text


def test_a_version_under_a_versions_name_is_not_an_address() -> None:
    event = {"contexts": {"app": {"app_version": "1.2.3.4", "build": "10.0.0.12"}}}
    out = scrub_event(event)
    assert out == {"contexts": {"app": {"app_version": "1.2.3.4", "build": FILTERED}}}


def test_the_user_context_keeps_its_email_and_address() -> None:
    event = {
        "user": {"id": "u-1", "email": "ana@example.com", "ip_address": "203.0.113.42"},
        "message": "reset for ana@example.com",
        "extra": {"who": "ana@example.com"},
    }
    out = scrub_event(event)
    assert out is not None
    assert out["user"] == event["user"]
    assert out["message"] == f"reset for {FILTERED}"
    assert out["extra"] == {"who": FILTERED}
    # the user context's memo is its own: the same string is still removed elsewhere after
    engine = Scrubber()
    engine.event({"user": {"email": "ana@example.com"}})
    again = engine.event({"extra": {"who": "ana@example.com"}})
    assert again == {"extra": {"who": FILTERED}}


def test_the_switch_keeps_personal_data_in_text() -> None:
    engine = Scrubber(ScrubConfig(allow_pii_in_text=True))
    event = {"message": "reset for ana@example.com from 203.0.113.42 with password=hunter2x"}
    out = engine.event(event)
    assert out == {
        "message": f"reset for ana@example.com from 203.0.113.42 with password={FILTERED}"
    }


@settings(max_examples=200, deadline=None)
@given(
    local=st.from_regex(r"[a-z][a-z0-9._+\-]{0,20}[a-z0-9]", fullmatch=True),
    domain=st.from_regex(r"([a-z0-9]([a-z0-9\-]{0,10}[a-z0-9])?\.){1,3}[a-z]{2,6}", fullmatch=True),
    ip=st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).filter(
        lambda ip: not (ip.is_loopback or ip.is_unspecified or str(ip).startswith("255.255"))
    ),
    place=st.sampled_from(list(_TEXT_PLACES)),
    words=st.sampled_from(["", "user ", "failed for ", "(", "<"]),
)
def test_any_email_or_address_in_free_text_is_removed(local, domain, ip, place, words) -> None:
    email = f"{local}@{domain}"
    address = str(ip)
    text = f"{words}{email} from {address} at 12:30:00"
    out = json.dumps(scrub_event(_TEXT_PLACES[place](text)))
    assert email not in out
    assert address not in out
    assert "12:30:00" in out


# ---- the runtime switch ---------------------------------------------------------------------

DSN = "https://publickey0123@o42.ingest.sentry.io/4242"


class _Keep(sentry_sdk.transport.Transport):
    def __init__(self) -> None:
        super().__init__({"dsn": DSN})
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Any) -> None:
        self.events += [i.payload.json for i in envelope.items if i.type == "event"]


@pytest.mark.parametrize(
    ("kwargs", "environ", "kept"),
    [
        ({}, {}, False),
        ({"allow_pii_in_text": True}, {}, True),
        ({}, {"PARA_MONITOR_ALLOW_PII_IN_TEXT": "1"}, True),
        ({"allow_pii_in_text": False}, {"PARA_MONITOR_ALLOW_PII_IN_TEXT": "1"}, False),
    ],
)
def test_init_sentry_switch_for_personal_data_in_text(
    kwargs: dict[str, Any], environ: dict[str, str], kept: bool
) -> None:
    from para_monitor_cli.runtime import init_sentry

    transport = _Keep()
    try:
        init_sentry(DSN, environ=environ, transport=transport, **kwargs)
        sentry_sdk.capture_message("reset for ana@example.com with token=abc123456789")
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
    (event,) = transport.events
    text = json.dumps(event)
    assert ("ana@example.com" in text) is kept
    assert "abc123456789" not in text


# ---- cookies: names kept, values filtered ----------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sessionid=abc123; theme=dark; lang=en", "sessionid={F}; theme={F}; lang={F}"),
        (
            "sid=abc; Path=/; Max-Age=3600; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly",
            "sid={F}; Path=/; Max-Age=3600; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly",
        ),
        ("b'csrftoken=abc; theme=dark'", "b'csrftoken={F}; theme={F}'"),
        ("not a cookie list at all", "{F}"),
        ("dGhlIHNlY3JldA==", "dGhlIHNlY3JldA={F}"),
    ],
)
def test_cookie_headers_keep_the_cookies_names(header: str, expected: str) -> None:
    expected = expected.format(F=FILTERED)
    event = {
        "request": {"headers": {"Cookie": header}},
        "extra": {"headers": [["set-cookie", header]]},
    }
    out = scrub_event(event)
    assert out == {
        "request": {"headers": {"Cookie": expected}},
        "extra": {"headers": [["set-cookie", expected]]},
    }
    assert scrub_event(out) == out
    assert Scrubber().findings(out) == []

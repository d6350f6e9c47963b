"""Each redaction pattern of para_monitor_cli.redaction, directly: a credential it must mask and a
near miss it must keep (Sentry's token prefixes: getsentry/sentry src/sentry/types/token.py,
AuthTokenType). Every positive example matches exactly one pattern, so removing any one
pattern fails the test of that pattern (the rest cannot hide the loss), and a pattern added
without an example here fails ``test_every_pattern_has_an_example``."""

from __future__ import annotations

import logging

import pytest

from para_monitor_cli import redaction
from para_monitor_cli.redaction import MASK, looks_like_credential, redact, redact_dsn

# (shape, text, redacted text); made-up values shaped like the real ones
POSITIVE: list[tuple[str, str, str]] = [
    (
        "dsn-public-key",
        "init with https://0123456789abcdef0123456789abcdef@o42.ingest.sentry.io/7 now",
        f"init with https://{MASK}@o42.ingest.sentry.io/7 now",
    ),
    (
        "dsn-public-and-secret-key",
        "legacy dsn https://pub1234:sec5678@sentry.example.com/3",
        f"legacy dsn https://{MASK}@sentry.example.com/3",
    ),
    (
        "url-userinfo",
        "proxy at http://alice:pa55word@proxy.internal:3128/ refused",
        f"proxy at http://{MASK}@proxy.internal:3128/ refused",
    ),
    (
        "bearer-any-word",
        "Authorization: Bearer abcdefghij",
        f"Authorization: Bearer {MASK}",
    ),
    (
        "token-with-digit",
        "sent with token abc123def456",
        f"sent with token {MASK}",
    ),
    (
        "basic-base64",
        "Authorization: Basic dXNlcjpwYXNzd29yZA==",
        f"Authorization: Basic {MASK}",
    ),
    (
        "sentry-org-token",
        "upload used sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_abcDEF+/= and failed",
        f"upload used {MASK} and failed",
    ),
    (
        "sentry-user-token",
        "cli: sntryu_0123456789abcdef0123456789abcdef",
        f"cli: {MASK}",
    ),
    (
        "sentry-user-app-token",
        "app sntrya_0123456789abcdef0123456789abcdef.",
        f"app {MASK}.",
    ),
    (
        "sentry-integration-token",
        "(sntryi_0123456789abcdef0123456789abcdef)",
        f"({MASK})",
    ),
    (
        "sentry-key-query",
        "POST /api/7/store/?sentry_key=0123abcd&sentry_version=7",
        f"POST /api/7/store/?sentry_key={MASK}&sentry_version=7",
    ),
    (
        "sentry-auth-header",
        "X-Sentry-Auth: Sentry sentry_key=pub0123, sentry_secret=sec4567, sentry_client=x/1",
        f"X-Sentry-Auth: Sentry sentry_key={MASK}, sentry_secret={MASK}, sentry_client=x/1",
    ),
]

# (shape, text kept as it is): one step away from a credential shape
NEAR_MISS: list[tuple[str, str]] = [
    ("email-without-scheme", "write to alice@example.com about it"),
    ("url-without-userinfo", "see https://o42.ingest.sentry.io/api/7/envelope/"),
    ("at-sign-in-path", "https://example.com/users/@alice"),
    ("mailto-has-no-slashes", "mailto:alice@example.com"),
    ("bearer-word-too-short", "Authorization: Bearer abcdefg"),
    ("token-ordinary-word", "no auth token configured"),
    ("token-dotted-word", "extra.token  kind=jwt"),
    ("tokens-plural", "tokens abc123def456 left"),
    ("basic-plain-word", "basic understanding"),
    ("sentry-token-unknown-type", "sntryx_0123456789abcdef"),
    ("sentry-token-without-y", "sntrs_0123456789abcdef"),
    ("sentry-token-too-short", "sntrys_012345678"),
    ("sentry-token-inside-word", "xsntrys_0123456789abcdef"),
    ("sentry-keys-not-key", "sentry_keys=abc123 sentry_secrets=def456"),
    ("sentry-version", "sentry_version=7&sentry_client=python/2.0"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in POSITIVE], ids=[c[0] for c in POSITIVE]
)
def test_a_credential_shape_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", [c[1] for c in NEAR_MISS], ids=[c[0] for c in NEAR_MISS])
def test_a_near_miss_is_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("text", [c[1] for c in POSITIVE], ids=[c[0] for c in POSITIVE])
def test_each_example_exercises_exactly_one_pattern(text: str) -> None:
    matching = [pattern.pattern for pattern, _ in redaction._PATTERNS if pattern.search(text)]
    assert len(matching) == 1, matching


def test_every_pattern_has_an_example() -> None:
    for pattern, _ in redaction._PATTERNS:
        assert any(pattern.search(text) for _, text, _ in POSITIVE), pattern.pattern


@pytest.mark.parametrize(
    ("word", "credential"),
    [
        ("abc123def", True),  # a digit
        ("abcdefgh=", True),  # base64 padding
        ("a" * redaction.LONG_OPAQUE, True),  # long and opaque
        ("dXNlcjpwYXNz", True),  # mixed case inside the word
        ("configured", False),
        ("Configured", False),  # a capital first letter only
        ("a" * (redaction.LONG_OPAQUE - 1), False),
    ],
)
def test_what_looks_like_a_credential(word: str, credential: bool) -> None:
    assert looks_like_credential(word) is credential


def test_a_registered_secret_is_masked_anywhere_longest_first() -> None:
    redaction.register_secret("hunter2hunter2")
    redaction.register_secret("hunter2")
    assert redact("pw=hunter2hunter2; again hunter2.") == f"pw={MASK}; again {MASK}."


def test_a_registered_secret_shorter_than_four_characters_is_ignored() -> None:
    redaction.register_secret("abc")
    redaction.register_secret(None)
    redaction.register_secret("")
    assert redact("abc abcd") == "abc abcd"


def test_forgotten_secrets_are_no_longer_masked() -> None:
    redaction.register_secret("plain-words-secret")
    redaction.forget_secrets()
    assert redact("plain-words-secret") == "plain-words-secret"


def test_redact_dsn_masks_only_the_keys() -> None:
    assert (
        redact_dsn("https://pub:sec@o1.ingest.sentry.io/42")
        == f"https://{MASK}@o1.ingest.sentry.io/42"
    )
    assert redact_dsn("https://o1.ingest.sentry.io/42") == "https://o1.ingest.sentry.io/42"


def test_the_logging_filter_redacts_the_rendered_message() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "calling %s with %s", ("api", "Bearer abcdefghij"), None
    )
    assert redaction.RedactingFilter().filter(record) is True
    assert record.getMessage() == f"calling api with Bearer {MASK}"
    assert record.args is None
    kept = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("words",), None)
    assert redaction.RedactingFilter().filter(kept) is True
    assert (kept.msg, kept.args) == ("plain %s", ("words",))

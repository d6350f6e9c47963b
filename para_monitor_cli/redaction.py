"""Redaction at the seams where text leaves the program.

Known secrets (the auth token, the DSN's keys) are registered once, when settings are built;
every line that is printed, logged or put in an error message goes through :func:`redact`,
which replaces registered secrets and anything shaped like a credential.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

MASK = "****"

_lock = threading.Lock()
_secrets: set[str] = set()

# The word after "Bearer" is always taken for a credential; after "token" or "basic" only when
# it looks like one: it holds a digit, ends in base64 padding, mixes case inside the word
# (base64), or is long and opaque. Ordinary words survive: "no auth token configured",
# "extra.token  kind=jwt".
LONG_OPAQUE = 32


def looks_like_credential(value: str) -> bool:
    """Whether a word that follows "bearer", "token" or "basic" is shaped like a credential."""
    return (
        any(c.isdigit() for c in value)
        or value.endswith("=")
        or len(value) >= LONG_OPAQUE
        or (any(c.isupper() for c in value[1:]) and any(c.islower() for c in value))
    )


def _mask_credential_word(match: re.Match[str]) -> str:
    if match.group(1).lower() == "bearer" or looks_like_credential(match.group(2)):
        return f"{match.group(1)} {MASK}"
    return match.group(0)


# Shapes that are secret wherever they appear, registered or not.
_PATTERNS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # userinfo in URLs and DSNs: scheme://KEY[:SECRET]@host
    (
        re.compile(r"(?P<pre>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@:]+(?::[^/\s@]*)?@"),
        r"\g<pre>" + MASK + "@",
    ),
    # Authorization headers and bearer tokens
    (
        re.compile(r"(?i)\b(bearer|token|basic)\s+([A-Za-z0-9._~+/=-]{8,})"),
        _mask_credential_word,
    ),
    # Sentry auth tokens: the prefixes of getsentry/sentry src/sentry/types/token.py, class
    # AuthTokenType (USER "sntryu_", ORG "sntrys_", USER_APP "sntrya_", INTEGRATION "sntryi_");
    # an org token's body is base64 JSON, "_", base64 secret (utils/security/orgauthtoken_token.py,
    # generate_token). The old class `sntr[ysu]_` missed the "y" and matched no real token.
    (re.compile(r"\bsntry[usai]_[A-Za-z0-9_=+/-]{10,}"), MASK),
    # sentry_key=... / sentry_secret=... in X-Sentry-Auth or query strings
    (re.compile(r"(?i)(sentry_(?:key|secret)=)[^,&\s]+"), r"\1" + MASK),
)


def register_secret(value: str | None) -> None:
    """Remember a value that must never be printed (tokens shorter than 4 chars are ignored)."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def forget_secrets() -> None:
    """Forget every registered secret (tests use this between runs)."""
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    """Return ``text`` with every registered secret and credential shape masked."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_dsn(dsn: str) -> str:
    """A DSN with its public and secret keys masked: ``https://****@host/42``."""
    pattern, replacement = _PATTERNS[0]
    return pattern.sub(replacement, dsn)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the rendered message of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True

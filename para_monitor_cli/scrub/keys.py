"""Key rules: is a field name sensitive?

Names are split into lower-case words across case changes and separators (``apiKey``,
``X-Api-Key``, ``ANTHROPIC_API_KEY`` and ``x_api_key`` all give ``x? api key``), so one rule
covers every spelling. Words are then judged in context:

* strong words are sensitive wherever they appear (``db_password``, ``client_secret``);
* weak words only as the last word (``auth``, ``session``: ``auth_provider`` is harmless);
* ``key`` only after a qualifier (``api_key``, ``private_key``, ``anthropic_key``, not
  ``cache_key``);
* a harmless last word rescues the name (``token_count``, ``password_reset_enabled``,
  ``secret_name``), and ``tokens`` counts tokens unless qualified (``input_tokens`` is usage,
  ``refresh_tokens`` is not).

Separator-free spellings (``csrftoken``, ``xapikey``, ``dbpassword``) are caught by looking for
the strong words inside each word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_COMPACT = re.compile(r"[^a-z0-9]+")

# word -> kind
STRONG: dict[str, str] = {
    "password": "password",
    "passwd": "password",
    "pwd": "password",
    "passphrase": "password",
    "secret": "secret",
    "secrets": "secret",
    "token": "token",
    "apikey": "api_key",
    "credential": "credentials",
    "credentials": "credentials",
    "creds": "credentials",
    "cookie": "cookie",
    "cookies": "cookie",
    "authorization": "authorization",
    "csrf": "csrf_token",
    "xsrf": "csrf_token",
    "csrftoken": "csrf_token",
    "privatekey": "private_key",
    "sessionid": "session",
    "phpsessid": "session",
    "jwt": "token",
    "otp": "otp",
    "totp": "otp",
    "cvv": "card_number",
    "cvc": "card_number",
    "ssn": "ssn",
}
# sensitive only as the last word, or followed by one of WEAK_FOLLOWERS
WEAK: dict[str, str] = {
    "auth": "authorization",
    "session": "session",
    "sid": "session",
    "pin": "pin",
    "signature": "signature",
    "sig": "signature",
}
WEAK_FOLLOWERS = frozenset({"id", "key", "token", "header", "value", "string", "data", "cookie"})
# "<qualifier> key" is a credential; a bare "key" (cache key, idempotency key) is not
KEY_QUALIFIERS = frozenset(
    {
        "api",
        "private",
        "secret",
        "access",
        "signing",
        "encryption",
        "master",
        "service",
        "anthropic",
        "openai",
        "stripe",
        "resend",
        "supabase",
        "sentry",
        "license",
        "webhook",
        "auth",
        "client",
        "app",
        "aws",
        "gcp",
        "google",
        "github",
        "slack",
        "ssh",
        "hmac",
        "session",
        "admin",
        "anon",
        "role",
    }
)
# "<qualifier> tokens" holds credentials; other "tokens" (input_tokens, max_tokens) count them
TOKENS_QUALIFIERS = frozenset(
    {"api", "access", "refresh", "auth", "bearer", "oauth", "session", "id", "device", "push"}
)
CARD_PAIRS = frozenset({("card", "number"), ("credit", "card"), ("cc", "number")})
# a last word that makes the name describe the secret rather than hold it
SAFE_TAILS = frozenset(
    {
        "count",
        "counts",
        "total",
        "enabled",
        "disabled",
        "required",
        "length",
        "len",
        "type",
        "types",
        "limit",
        "limits",
        "max",
        "min",
        "used",
        "usage",
        "expires",
        "expiry",
        "expired",
        "exp",
        "ttl",
        "at",
        "name",
        "names",
        "policy",
        "strength",
        "rotated",
        "rotation",
        "present",
        "configured",
        "valid",
        "version",
        "scheme",
        "provider",
        "method",
        "url",
        "endpoint",
        "path",
        "field",
        "fields",
        "reset",
        "change",
        "changed",
    }
)
# substrings of a separator-free word that make it sensitive
COMPACT_STRONG: tuple[tuple[str, str], ...] = (
    ("password", "password"),
    ("passwd", "password"),
    ("passphrase", "password"),
    ("secret", "secret"),
    ("apikey", "api_key"),
    ("privatekey", "private_key"),
    ("accesskey", "api_key"),
    ("credential", "credentials"),
    ("authorization", "authorization"),
    ("cookie", "cookie"),
    ("csrf", "csrf_token"),
    ("xsrf", "csrf_token"),
    ("sessionid", "session"),
)
FALSE_FRIENDS = frozenset({"secretary", "secretaries", "secretariat"})

# What a name that is not itself sensitive may still say about its value:
# * GENERIC_KEY: a key of no known kind (``gateway_key``, ``partner_key``, ``key``): the value
#   is filtered when it is plainly a credential (text.looks_like_credential), kept otherwise
#   (``cache_key: user:123:profile``, an idempotency key);
# * VERSION_KEY: a version (``version``, ``app_version``): a dotted number there is a version,
#   not an IP address (``1.2.3.4``).
GENERIC_KEY = "generic_key"
VERSION_KEY = "version"


def words(key: str) -> list[str]:
    """``"X-Api-Key"`` -> ``["x", "api", "key"]``; ``"apiKey"`` -> ``["api", "key"]``."""
    out: list[str] = []
    for chunk in _SPLIT.split(key):
        if chunk:
            out.extend(part.lower() for part in _CAMEL.split(chunk) if part)
    return out


def compact(name: str) -> str:
    """Lower case without separators: the form configured field names are compared in."""
    return _COMPACT.sub("", name.lower())


@functools.lru_cache(maxsize=8192)
def classify(key: str) -> str | None:
    """The kind of secret a field of this name holds, or None when the name is harmless."""
    ws = words(key)
    if not ws:
        return None
    last = ws[-1]
    if len(ws) > 1 and last in SAFE_TAILS:
        return None
    for i, w in enumerate(ws):
        is_last = i == len(ws) - 1
        nxt = ws[i + 1] if not is_last else ""
        kind = STRONG.get(w)
        if kind is not None:
            return kind
        kind = WEAK.get(w)
        if kind is not None and (is_last or nxt in WEAK_FOLLOWERS):
            return kind
        if w == "key" and i > 0 and ws[i - 1] in KEY_QUALIFIERS:
            return "api_key"
        if w == "tokens" and i > 0 and ws[i - 1] in TOKENS_QUALIFIERS:
            return "token"
        if (w, nxt) in CARD_PAIRS:
            return "card_number"
        if len(w) > 5 and w not in FALSE_FRIENDS:
            for part, part_kind in COMPACT_STRONG:
                if part in w:
                    return part_kind
            if w.endswith("token") and not w.startswith("token"):
                return "token"
    return None


_HINTS = (GENERIC_KEY, VERSION_KEY)


def classify_name(key: str) -> str | None:
    """:func:`classify`, and for names it finds harmless, GENERIC_KEY or VERSION_KEY when
    the name says what its value may be."""
    kind = classify(key)
    if kind is not None:
        return kind
    return _name_hint(key)


@functools.lru_cache(maxsize=8192)
def _name_hint(key: str) -> str | None:
    ws = words(key)
    if not ws:
        return None
    if ws[-1] in ("key", "keys"):
        return GENERIC_KEY
    if ws[-1] == "version":
        return VERSION_KEY
    return None


class KeyRules:
    """Key classification with the configured extra sensitive and safe names, memoised."""

    __slots__ = ("_cache", "_safe", "_sensitive", "kinds")

    SAFE = ""  # what lookup() answers for a configured safe field

    def __init__(self, sensitive: Iterable[str] = (), safe: Iterable[str] = ()) -> None:
        self._sensitive = tuple((compact(s), tuple(words(s))) for s in sensitive if compact(s))
        self._safe = frozenset(c for c in (compact(s) for s in safe) if c)
        self._cache: dict[str, str | None] = {}
        # the hot path's memo, a plain dict (subscripted directly; lookup() fills it on a miss)
        self.kinds: dict[str, str | None] = {}

    def _configured(self, key: str) -> bool:
        """A configured sensitive field matches the same name in any spelling, or a name that
        contains its words (``token`` matches ``refresh_token``), unless a harmless last word
        rescues it (``token_count``), as for the built-in words."""
        c = compact(key)
        ws = tuple(words(key))
        for field_compact, field_words in self._sensitive:
            if c == field_compact:
                return True
            n = len(field_words)
            if (
                n
                and len(ws) > n
                and ws[-1] not in SAFE_TAILS
                and any(ws[i : i + n] == field_words for i in range(len(ws) - n + 1))
            ):
                return True
        return False

    def lookup(self, key: str) -> str | None:
        """The secret kind for a sensitive name, ``SAFE`` ("") for a configured safe field
        (left entirely alone, like Sentry's own safe fields), None for an ordinary name."""
        cache = self._cache
        try:
            return cache[key]
        except KeyError:
            pass
        if key == "_meta" or (self._safe and compact(key) in self._safe):
            kind: str | None = self.SAFE  # _meta: Sentry's annotations, no user data
        else:
            kind = classify_name(key)
        if (kind is None or kind in _HINTS) and self._sensitive and self._configured(key):
            kind = "sensitive_field"
        if len(cache) > 8192:
            cache.clear()
            self.kinds.clear()
        cache[key] = kind
        self.kinds[key] = kind
        return kind

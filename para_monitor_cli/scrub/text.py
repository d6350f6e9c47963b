"""Value rules: secrets inside strings, whatever the key they sit under.

:func:`scrub_text` returns the string with each secret replaced by ``[Filtered]`` (the rest of
the text survives: ``Bearer [Filtered]``, ``postgres://app:[Filtered]@db/para``) and the names
of the rules that fired. Each rule group sits behind a cheap substring pre-check, so ordinary
strings (ids, timestamps, titles) cost a few ``in`` tests and, past 12 characters, one regex
scan. Replacements never match again, so scrubbing is idempotent.
"""

from __future__ import annotations

import ipaddress
import math
import re
import string
from collections import Counter
from collections.abc import Callable

from para_monitor_cli.scrub.keys import GENERIC_KEY, VERSION_KEY, classify_name

FILTERED = "[Filtered]"
MIN_SHAPED = 13  # shorter strings cannot hold a provider key, a JWT or a card number

# rule name -> kind of secret (rules that report their kind dynamically are not listed)
RULE_KINDS: dict[str, str] = {
    "private-key-block": "private_key",
    "url-credentials": "url_credentials",
    "auth-scheme": "authorization",
    "jwt": "jwt",
    "anthropic-key": "anthropic_key",
    "openai-key": "openai_key",
    "aws-access-key": "aws_access_key",
    "github-token": "github_token",
    "stripe-key": "stripe_key",
    "stripe-webhook-secret": "stripe_key",
    "slack-token": "slack_token",
    "slack-webhook": "slack_webhook",
    "google-api-key": "google_api_key",
    "resend-key": "resend_key",
    "sentry-token": "sentry_token",
    "supabase-secret-key": "supabase_key",
    "card-number": "card_number",
    "redis-auth": "password",
    "sql-credentials": "password",
    "live-key": "api_key",
    "credential-value": "api_key",
    "email": "email",
    "ip-address": "ip_address",
}

_PEM = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\Z)",
    re.DOTALL,
)
# The patterns below are written to run in linear time: names, schemes and quoted values are
# matched possessively (``*+``, ``{0,63}+``: giving characters back could never let the pattern
# match, as the next character must be one they cannot hold), quoted values by runs rather
# than character by character, and a scheme starts only where its run of scheme characters
# starts, skipping leading non-letters; otherwise a long base64 run (a JWT) is rescanned from
# every position (tens of microseconds per string). tests/test_scrub.py checks them against
# the plain patterns.
# scheme://user:password@host  and  scheme://:password@host  (redis)
_SCHEME = r"(?<![A-Za-z0-9+.\-])[0-9+.\-]*+[A-Za-z][A-Za-z0-9+.\-]*+://"
_URL_PASSWORD = re.compile(rf"({_SCHEME}[^\s/@:?#\[]*+):([^\s/@?#\[][^\s/@?#]*)@")
# scheme://TOKEN@host: a token used as the user part (git remotes, DSN keys)
_URL_TOKEN = re.compile(rf"({_SCHEME})([A-Za-z0-9_\-]{{20,}})@")
# name=value and name = "value" (query strings, form bodies, libpq/ADO connection strings, log
# lines; source lines and reprs such as Anthropic(api_key='...')), found from the '=' back as
# name: value pairs are found from the colon (see below): on the reversed text, an '=', spaces,
# then the run of characters a name may hold (brackets too, plain or percent-encoded:
# user[password], user%5Bpassword%5D). The value follows the '=': bare or quoted.
_EQ_NAME_REVERSED = re.compile(r"=(\s*+)([\w.\-\[\]%]++)")
_EQ_VALUE = re.compile(
    r"""\s*+(?:([^\s&;,"'<>\[][^\s&;,"'<>]*)|(["'])((?:[^"'\\\n]++|\\.|(?!\2)["'])++)\2)"""
)
_LETTERS = frozenset(string.ascii_letters)
_NAME_START = _LETTERS | {"_"}  # a name starts with an ASCII letter or an underscore
_BRACKETS = re.compile(r"\[|\]|%5[BbDd]")
# "name": "value" and 'name': 'value' (JSON and Python reprs inside strings), or a number
_QUOTED_PAIR = re.compile(
    r"""(["'])([^"'\\\n]{1,64}+)\1(\s*:\s*)(?:(["'])((?:[^"'\\]++|\\.|(?!\4)["'])*+)\4|(-?\d[\d.]*))"""
)
# name: value in plain text (log lines, exception messages), found from the colon back: on the
# reversed text a colon leads the pattern, so the regex engine jumps from colon to colon in C
# instead of trying a name at every letter. Reversed, it reads: a colon, the name's characters
# (2 to 64, all of them: a longer run is no name), then no character that may not precede a
# name. The name must start with a letter; its value follows the colon, possibly after spaces
# (it is only looked at, so "failed: password: x" still sees "password: x").
_COLON_NAME_REVERSED = re.compile(r":([\w\-]{2,64}+)(?![\w\"'.\-])")
_COLON_VALUE = re.compile(r"[ \t]*([^\s,;\"'\[][^\s,;\"']{3,})")
_PLACEHOLDER_VALUE = re.compile(
    r"\$\d+|\?|:\w+|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGcuoa]|\{[^{}]*\}"
)
_SCHEME_WORDS = frozenset({"bearer", "basic", "digest", "token", "bot", "apikey", "api-key"})
_AUTH = re.compile(
    r"(?i)(?<![\w-])(bearer|basic|digest|token|bot|apikey|api-key)(\s+)([A-Za-z0-9._~+/=\-]{8,})"
)
# its gate: the scheme's first letter, then the look-behind (every match of _AUTH starts where
# one of this starts; a letter-led class lets the regex engine skip other characters in C)
_AUTH_GATE = re.compile(r"(?i)[abdt](?<![\w-].)(?:pi-?key|earer|asic|ot|igest|oken)\s")
_SHAPES = re.compile(
    r"(?P<jwt>eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*)"
    r"|(?<![A-Za-z0-9])(?:"
    r"(?P<anthropic>sk-ant-[A-Za-z0-9_\-]{16,})"
    r"|(?P<openai>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,})"
    r"|(?P<aws>(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})"
    r"|(?P<github>gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"
    r"|(?P<stripe>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,})"
    r"|(?P<stripewh>whsec_[A-Za-z0-9+/=]{16,})"
    r"|(?P<slack>xox[abposr]-[A-Za-z0-9\-]{10,})"
    r"|(?P<google>AIza[0-9A-Za-z_\-]{35})"
    r"|(?P<resend>re_[A-Za-z0-9]{8}_[A-Za-z0-9]{16,})"
    # Sentry auth tokens: src/sentry/types/token.py AuthTokenType (user sntryu_, org sntrys_,
    # user app sntrya_, integration sntryi_)
    r"|(?P<sentry>sntry[usai]_[A-Za-z0-9_=+/\-]{20,})"
    r"|(?P<supabase>sb_secret_[A-Za-z0-9_\-]{16,})"
    r")"
    r"|(?P<slackhook>hooks\.slack\.com/services/[A-Za-z0-9/]{16,})"
)
_SHAPE_RULES = {
    "jwt": "jwt",
    "anthropic": "anthropic-key",
    "openai": "openai-key",
    "aws": "aws-access-key",
    "github": "github-token",
    "stripe": "stripe-key",
    "stripewh": "stripe-webhook-secret",
    "slack": "slack-token",
    "google": "google-api-key",
    "resend": "resend-key",
    "sentry": "sentry-token",
    "supabase": "supabase-secret-key",
    "slackhook": "slack-webhook",
}
# the redis AUTH command as span descriptions and breadcrumbs show it: AUTH [user] password
_REDIS_AUTH = re.compile(r"(?<![\w-])(AUTH\s+(?:[\w.\-]+\s+)?+)([^\s;\[][^\s;]{3,})")
# 13 to 19 digits, optionally grouped by spaces or dashes, starting like a card network's IIN
_CARD = re.compile(
    r"(?<![\w.\-])(?:4|5[1-5]|2[2-7]|3[47]|3[068]|6[05])(?:[ \-]?\d){11,17}(?![\w.])"
)
_CARD_CHARS = str.maketrans("", "", " -")
# Gates for the two costliest rules: necessary conditions led by a literal or a character
# class (no leading look-behind), so the regex engine skips to candidate positions in C
# instead of trying the full pattern at every position. Every match of _SHAPES starts where a
# match of _SHAPE_GATE starts, every match of _CARD where one of _CARD_GATE starts, so the full
# patterns are only tried there (_gated_sub) and the output is unchanged (tests/test_scrub.py
# checks this on generated strings).
# the shape literals as a trie (one branch per first letter: the regex engine tests fewer
# alternatives at each candidate position than with one flat alternation)
_SHAPE_GATE = re.compile(
    r"e(?:yJ)|s(?:k[-_]|ntr|b_secret_)|r(?:k_|e_)|A(?:KIA|SIA|BIA|CCA|Iza)"
    r"|g(?:h[pousr]_|ithub_pat_)|whsec_|xox|hooks\.slack\.com/"
)
# every shape holds one of these characters: a string with none of them skips the gate
_SHAPE_CHARS = ("_", "-", ".", "A")
# a digit 2-6 at a boundary (the look-behind sits after it), then 11 more digits
_CARD_GATE = re.compile(r"[2-6](?<![\w.\-].)(?:[ \-]?\d){11}")


# -- credentials inside SQL, any dialect --------------------------------------------------------
# Statements that set a password other than as name = 'value' (which the name=value rule
# handles): Postgres ALTER/CREATE USER|ROLE ... [WITH] [ENCRYPTED] PASSWORD 'p', user mappings'
# OPTIONS (password 'p'); MySQL/MariaDB IDENTIFIED [WITH plugin] BY|AS 'p', SET PASSWORD [FOR
# user] = 'p' | PASSWORD('p'), GRANT ... IDENTIFIED BY 'p'; Oracle IDENTIFIED BY p (bare or
# quoted, also in CREATE DATABASE LINK), CONNECT user/password@db; MSSQL WITH PASSWORD = 'p'
# (name=value); SQLite (SQLCipher) PRAGMA [schema.]key|rekey = 'p', ATTACH ... KEY 'p'. Values:
# '...' (with '' and \' escapes), "...", Postgres $tag$...$tag$. Connection strings inside
# queries (dblink('... password=p'), 'postgresql://u:p@h/db') are the URL and name=value
# rules' job.
_SQL_QUOTED_VALUE = (
    r"(?P<v>'(?:[^'\\]++|''|\\.)*+'"
    r'|"(?:[^"\\]++|""|\\.)*+"'
    r"|\$(?P<tag>\w{0,16})\$[^$]*+\$(?P=tag)\$)"
)
# Every match starts at its keyword (PASSWORD, IDENTIFIED, PRAGMA, ATTACH, CONNECT), where a
# match of _SQL_GATE starts: the full patterns are only tried there (_gated_sub).
_SQL_QUOTED = re.compile(
    r"(?i)(?<![\w$])(?:PASSWORD(?:\s*+=\s*+|\s++|\s*+\(\s*+)(?:PASSWORD\s*+\(\s*+)?"
    r"|PASSWORD\s++FOR\s[^=;]{1,200}?=\s*+(?:PASSWORD\s*+\(\s*+)?"
    r"|IDENTIFIED\s++(?:WITH\s++[\w'\"`]++\s++)?(?:BY|AS)\s++(?:PASSWORD\s++|VALUES\s++)?"
    r"|PRAGMA\s++(?:\w++\.)?(?:RE)?KEY\s*+=\s*+"
    r"|ATTACH\s++(?:DATABASE\s++)?(?:'[^']*+'|\"[^\"]*+\"|\S++)\s++AS\s++\S++\s++KEY\s++)"
    + _SQL_QUOTED_VALUE
)
# the bare forms: Oracle's IDENTIFIED BY tiger, SQLCipher's PRAGMA key = x'...', CONNECT u/p@db
_SQL_BARE = re.compile(
    r"(?i)(?<![\w$])(?:IDENTIFIED\s++BY\s++(?!(?:RANDOM|PASSWORD|VALUES)\b)"
    r"|PRAGMA\s++(?:\w++\.)?(?:RE)?KEY\s*+=\s*+"
    r"|CONNECT\s++(?!TO\b)[\w$#.]++/)"
    r"(?P<v>[^\s'\";,()@/][^\s'\";,()@]*+)"
)
# the keywords, led by a class of their first letters with the look-behind after it, so the
# regex engine skips other characters in C
_SQL_GATE = re.compile(r"[PpIiCcAa](?<![\w$][PpIiCcAa])(?i:assword|dentified|ragma|onnect|ttach)")
# its pre-check: one of these in the text (both usual casings)
_SQL_WORDS = (
    *("ssword", "SSWORD", "dentified", "DENTIFIED", "ragma", "RAGMA"),
    *("ONNECT ", "onnect ", "TTACH ", "ttach "),
)

# -- credentials under a generic name (gateway_key: gk_live_...) ----------------------------
# a key with a live/test prefix, as payment and API gateways issue them (sk_live_, pk_test_,
# rk_live_, gk_live_...): found anywhere in text; the tail must hold a digit, so words joined
# by underscores (run_test_suite) are not keys
_LIVE_KEY = re.compile(
    r"(?<![A-Za-z0-9_])[a-z]{2,5}_(?:live|test)_[A-Za-z0-9]{16,}+(?![A-Za-z0-9])"
)
_PREFIXED = re.compile(
    r"(?:[a-z]{1,12}_(?:live|test|prod|sandbox)_|whsec_|xox[abposr]-|(?:sk|pk|rk)[_-])"
    r"[A-Za-z0-9_\-]{8,}"
)
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "_-+/=.~")
_HEXISH = re.compile(r"[0-9A-Fa-f\-]+")
_WORD_RUN = re.compile(r"[a-z]{9}")
_WORDISH = re.compile(r"[A-Z]?[a-z]{3,}")
# a random value: long enough, token characters only, all three character classes, and
# spread out (Shannon entropy per character). Hex digests and UUIDs (etag, commit_sha,
# request_id, a hashed cache key) have no upper and lower case mix; names and words
# (MyCacheKeyForUserProfile) have a long lower-case run; cache keys have ':' in them.
CREDENTIAL_MIN_LENGTH = 20
CREDENTIAL_MIN_ENTROPY = 3.5  # bits per character; random base62 of 20 characters: ~4.1


def looks_like_credential(value: str) -> bool:
    """A value that is plainly a credential whatever its name: a live/test key prefix, or a
    long random token (see the thresholds above)."""
    n = len(value)
    if n < 12 or n > 512:
        return False
    if _PREFIXED.fullmatch(value) is not None:
        return any(c.isdigit() for c in value)
    if n < CREDENTIAL_MIN_LENGTH or not _TOKEN_CHARS.issuperset(value):
        return False
    if _HEXISH.fullmatch(value) is not None or _WORD_RUN.search(value) is not None:
        return False
    if sum(map(len, _WORDISH.findall(value))) * 2 >= n:
        return False  # mostly words (MyCacheEntryForUserProfiles2), not random
    if not (
        any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
    ):
        return False
    counts = Counter(value).values()
    entropy = -sum(c / n * math.log2(c / n) for c in counts)
    return entropy >= CREDENTIAL_MIN_ENTROPY


# -- personal data in free text (removed unless the engine keeps PII in text) ------------------
# an email address: the local part starts where its run starts (linear time), the domain is
# labels and a letters-only top-level domain; also URL-encoded (ana%40example.com)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._+\-])[A-Za-z0-9._+\-]{1,64}+(?:@|%40)"
    r"(?:[A-Za-z0-9\-]{1,63}+\.)+[A-Za-z]{2,24}+(?![A-Za-z0-9\-])"
)
# IPv4: four octets, not part of a longer dotted number (1.2.3.4.5) or a word
_IPV4 = re.compile(
    r"(?<![\w.\-])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
    r"(?![\w\-]|\.\d)"
)
# its gate: the first digit of a dotted quad, at a boundary (the look-behind follows the digit)
_IPV4_GATE = re.compile(r"\d(?<![\w.\-]\d)\d{0,2}\.\d{1,3}\.\d{1,3}\.\d")
# a dotted quad right after one of these is a version (v1.2.3.4, version 1.2.3.4, release
# 2.10.0.1, app@1.2.3.4)
_VERSION_BEFORE = re.compile(r"(?i)(?:\bv|@|(?:version|release|build)[\s:=\"']{0,3})\Z")
# IPv6 candidates (checked with ipaddress): hex groups and at least two colons, an embedded
# IPv4 tail and a zone id allowed
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}+(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?"
    r"(?:%\w{1,16}+)?(?![\w:.])"
)

_LUHN_DOUBLE = str.maketrans("0123456789", "0246813579")  # 2*d, digits summed


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a string of digits (every second digit from the right doubled,
    summed in C through a translation table)."""
    if not digits.isascii():  # other scripts' decimal digits (a regex \d matches them)
        try:
            digits = "".join(str(int(c)) for c in digits)
        except ValueError:
            return False
    rev = digits[::-1]
    codes = (rev[0::2] + rev[1::2].translate(_LUHN_DOUBLE)).encode("ascii")
    return (sum(codes) - 48 * len(codes)) % 10 == 0


def is_card_number(text: str) -> bool:
    """A card network's prefix, 13 to 19 digits (spaces and dashes allowed), Luhn-valid."""
    if _CARD.fullmatch(text) is None:
        return False
    digits = text.translate(_CARD_CHARS)
    return 13 <= len(digits) <= 19 and digits.isdigit() and luhn_ok(digits)


Fired = set[str]


def _sub(pattern: re.Pattern[str], text: str, repl: Callable[[re.Match[str]], str]) -> str:
    return pattern.sub(repl, text)


# A memory address as object reprs print it (`<Request object at 0x7f5b328fa810>`), standing
# alone: no word character, '.' or '-' on either side, so no rule's match can run into it.
# With every hex digit read as '0' (the same length, digits and letters of the same classes
# for every rule that looks at a value) no rule decides differently: a string is clean exactly
# when it is clean with its addresses zeroed. The memo keeps reprs that way, so a new
# request's objects, at new addresses, are known from the last request's. The literal "0x"
# leads the pattern (its look-behind follows it), so the regex engine jumps between them in C
# instead of trying a look-behind at every character (five times faster on a repr).
_ADDRESS = re.compile(r"0x(?<![\w.\-]0x)[0-9a-f]{4,16}(?![\w.\-])")
_ZERO_HEX = str.maketrans("123456789abcdef", "0" * 15)


def _zero_addresses(text: str) -> str:
    return _ADDRESS.sub(lambda m: m.group().translate(_ZERO_HEX), text)


Classifier = Callable[[str], "str | None"]
CLEAN_MEMO_LIMIT = 32768  # strings remembered clean (a quarter as many scrubbed ones)
CLEAN_MEMO_MAX_LEN = 2048  # longer strings are judged every time, never remembered
MEMO_CHARS = 1 << 22  # characters both memos hold together: a few MB, whatever the strings


class TextRules:
    """The value rules with a name classifier (the configured key rules) and two memos.

    Events repeat themselves: module names, file paths, source lines, header values, SQL, and
    also the same Authorization header or connection string event after event. Strings found
    clean are remembered as they are; for strings that held a secret only Python's keyed
    per-process hash of the input is kept (with the already-scrubbed output), so the memo never
    holds a secret. Both memos are bounded, in strings and in characters: when either bound is
    reached, both are emptied and fill again from what the next events bring.
    """

    __slots__ = ("chars", "classify", "clean", "dirty", "pii")

    def __init__(self, classifier: Classifier = classify_name, pii: bool = True) -> None:
        self.classify = classifier
        self.pii = pii  # remove personal data (emails, IP addresses) from text
        self.clean: set[str] = set()
        # hash(text) -> (scrubbed output, rules fired, len(text)), the length a second check
        self.dirty: dict[int, tuple[str, frozenset[str], int]] = {}
        self.chars = 0  # characters held: clean strings and scrubbed outputs

    def scrub(self, text: str, fired: Fired | None = None) -> str:
        """``text`` with every secret it contains replaced; rule names are added to ``fired``."""
        if text in self.clean:
            return text
        # Python's str hash is SipHash keyed per process (and cached on the string): the memo
        # keeps no secret, and a lookup costs no encoding or digest. The engine's walk reads
        # this memo inline the same way: by hash, then the length checked.
        digest = hash(text)
        hit = self.dirty.get(digest)
        if hit is not None and hit[2] == len(text):
            if fired is not None:
                fired.update(hit[1])
            return hit[0]
        return self.unseen(text, digest, fired)

    def unseen(self, text: str, digest: int, fired: Fired | None = None) -> str:
        """:meth:`scrub` for a text in neither memo (``digest`` is its memo key), remembered."""
        if len(text) < 6:
            self._remember_clean(text)
            return text
        if len(text) > CLEAN_MEMO_MAX_LEN:
            return _scrub(text, set() if fired is None else fired, self.classify, self.pii)
        zeroed = _zero_addresses(text) if "0x" in text else text
        if zeroed is not text and zeroed in self.clean:
            self._remember_clean(text)  # the same repr as before, at other addresses
            return text
        hits: Fired = set()
        out = _scrub(text, hits, self.classify, self.pii)
        if fired is not None:
            fired.update(hits)
        if out is text:
            self._remember_clean(text)
            if zeroed is not text:
                self._remember_clean(zeroed)
        else:
            if len(self.dirty) >= CLEAN_MEMO_LIMIT // 4 or self.chars >= MEMO_CHARS:
                self.forget()
            self.dirty[digest] = (out, frozenset(hits), len(text))
            self.chars += len(out)
        return out

    def _remember_clean(self, text: str) -> None:
        if len(self.clean) >= CLEAN_MEMO_LIMIT or self.chars >= MEMO_CHARS:
            self.forget()
        self.clean.add(text)
        self.chars += len(text)

    def forget(self) -> None:
        """Empty both memos (in place: the engine's walk holds them; benchmarks use this to
        measure a cold engine)."""
        self.clean.clear()
        self.dirty.clear()
        self.chars = 0


_default_rules = TextRules()


def scrub_text(text: str, fired: Fired | None = None) -> str:
    """``text`` with every secret it contains replaced (default key rules)."""
    return _default_rules.scrub(text, fired)


def _scrub(text: str, hits: Fired, classify: Classifier, pii: bool = True) -> str:
    out = text
    if "-----BEGIN" in out and "PRIVATE KEY" in out:
        new = _PEM.sub(FILTERED, out)
        if new != out:
            hits.add("private-key-block")
            out = new
    if "://" in out and "@" in out:
        new = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{FILTERED}@", out)
        new = _URL_TOKEN.sub(
            lambda m: m.group(0) if _is_plain(m.group(2)) else f"{m.group(1)}{FILTERED}@", new
        )
        if new != out:
            hits.add("url-credentials")
            out = new
    if "=" in out:
        out = _kv(out, hits, classify)
    if (
        "ssword" in out  # _SQL_WORDS, inlined
        or "SSWORD" in out
        or "dentified" in out
        or "DENTIFIED" in out
        or "ragma" in out
        or "RAGMA" in out
        or "ONNECT " in out
        or "onnect " in out
        or "TTACH " in out
        or "ttach " in out
    ):
        out = _sql(out, hits)
    if "_live_" in out or "_test_" in out:
        out = _LIVE_KEY.sub(lambda m: _live_repl(m, hits), out)
    if "AUTH " in out:
        new = _REDIS_AUTH.sub(lambda m: f"{m.group(1)}{FILTERED}", out)
        if new != out:
            hits.add("redis-auth")
            out = new
    if ":" in out and ('"' in out or "'" in out):
        out = _quoted(out, hits, classify)
    if len(out) >= MIN_SHAPED:
        if (" " in out or "\t" in out) and _AUTH_GATE.search(out) is not None:
            out = _gated_sub(_AUTH_GATE, _AUTH, out, hits, _auth_repl)
        # the gates' first search inlined: most strings have no candidate at all
        if ("_" in out or "-" in out or "." in out or "A" in out) and (  # _SHAPE_CHARS
            _SHAPE_GATE.search(out) is not None
        ):
            out = _gated_sub(_SHAPE_GATE, _SHAPES, out, hits, _shape_repl)
        if _CARD_GATE.search(out) is not None:
            out = _gated_sub(_CARD_GATE, _CARD, out, hits, _card_repl)
    if ":" in out:
        out = _colon(out, hits, classify)
    if pii:
        if "@" in out or "%40" in out:
            out = _EMAIL.sub(lambda m: _email_repl(m, hits), out)
        if "." in out and _IPV4_GATE.search(out) is not None:
            out = _gated_sub(_IPV4_GATE, _IPV4, out, hits, _ipv4_repl)
        if "::" in out or out.count(":") >= 7:
            out = _IPV6.sub(lambda m: _ipv6_repl(m, hits), out)
    return text if out == text else out


def _sql(text: str, hits: Fired) -> str:
    """Passwords and keys in SQL statements (see _SQL_QUOTED): the value inside its quotes,
    then the bare values (see _SQL_BARE)."""
    if _SQL_GATE.search(text) is None:
        return text
    out = _gated_sub(_SQL_GATE, _SQL_QUOTED, text, hits, _sql_quoted_repl)
    return _gated_sub(_SQL_GATE, _SQL_BARE, out, hits, _sql_bare_repl)


def _sql_quoted_repl(m: re.Match[str], hits: Fired) -> str:
    value = m.group("v")
    # the quotes around the value: ' or ", or a dollar-quote tag ($$, $pw$)
    edge = value[0] if value[0] in "'\"" else value[: value.index("$", 1) + 1]
    inner = value[len(edge) : len(value) - len(edge)]
    if not inner or inner == FILTERED:
        return m.group(0)
    hits.add("sql-credentials")
    return f"{m.group(0)[: m.start('v') - m.start()]}{edge}{FILTERED}{edge}"


def _sql_bare_repl(m: re.Match[str], hits: Fired) -> str:
    if m.group("v") == FILTERED:
        return m.group(0)
    hits.add("sql-credentials")
    return f"{m.group(0)[: m.start('v') - m.start()]}{FILTERED}"


def _live_repl(m: re.Match[str], hits: Fired) -> str:
    if not any(c.isdigit() for c in m.group(0)):
        return m.group(0)
    hits.add("live-key")
    return FILTERED


def _email_repl(m: re.Match[str], hits: Fired) -> str:
    if m.start() >= 2 and m.string[m.start() - 2 : m.start()] == "//":
        return m.group(0)  # scheme://user@host: a URL's user, not an address
    hits.add("email")
    return FILTERED


def _ipv4_repl(m: re.Match[str], hits: Fired) -> str:
    start = m.start()
    if _VERSION_BEFORE.search(m.string, max(0, start - 12), start) is not None:
        return m.group(0)  # v1.2.3.4, version 1.2.3.4: a version
    if m.group(0).startswith(("127.", "0.0.0.0", "255.255.255.255")):  # noqa: S104
        return m.group(0)  # loopback, any address, broadcast: no one's address
    hits.add("ip-address")
    return FILTERED


def _ipv6_repl(m: re.Match[str], hits: Fired) -> str:
    candidate = m.group(0)
    address = candidate.split("%", 1)[0]
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return candidate
    if ip.is_loopback or ip.is_unspecified:
        return candidate  # ::1 and ::: no one's address
    if not any(c.isdigit() for c in address) and len([g for g in address.split(":") if g]) < 3:
        return candidate  # hex words joined by colons (dead::beef, cafe::babe)
    hits.add("ip-address")
    return FILTERED


def _is_plain(user: str) -> bool:
    """A URL user part that is a name, not a token: no digits at all."""
    return not any(c.isdigit() for c in user)


def _auth_repl(m: re.Match[str], hits: Fired) -> str:
    cred = m.group(3)
    if cred.startswith("[") or not (any(c.isdigit() for c in cred) or len(cred) >= 20):
        return m.group(0)
    hits.add("auth-scheme")
    return f"{m.group(1)}{m.group(2)}{FILTERED}"


def _gated_sub(
    gate: re.Pattern[str],
    pattern: re.Pattern[str],
    text: str,
    hits: Fired,
    repl: Callable[[re.Match[str], Fired], str],
) -> str:
    """``pattern.sub`` for a pattern each of whose matches starts where a match of ``gate``
    starts: the gate (led by a literal or a character class, so the regex engine skips to
    candidates in C) finds the candidate positions and the full pattern is only tried, anchored,
    there, instead of at every position of the text."""
    search = gate.search
    match = pattern.match
    parts: list[str] = []
    last = pos = 0
    while (g := search(text, pos)) is not None:
        start = g.start()
        m = match(text, start)
        if m is None:
            pos = start + 1
            continue
        parts += [text[last:start], repl(m, hits)]
        last = pos = m.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _shape_repl(m: re.Match[str], hits: Fired) -> str:
    hits.add(_SHAPE_RULES[m.lastgroup or "jwt"])
    return FILTERED


def _card_repl(m: re.Match[str], hits: Fired) -> str:
    if is_card_number(m.group(0)):
        hits.add("card-number")
        return FILTERED
    return m.group(0)


def _kv(text: str, hits: Fired, classify: Classifier) -> str:
    n = len(text)
    found = [  # (name characters, position of the '=', spaces before it), right to left
        (m.group(2)[::-1], n - 1 - m.start(), bool(m.group(1)))
        for m in _EQ_NAME_REVERSED.finditer(text[::-1])
    ]
    spans: list[tuple[int, int]] = []
    for run, eq, spaced in reversed(found):
        # the name before a bare value, and before a quoted one (the same unless bracketed)
        if "[" in run or "]" in run or "%" in run:
            field, last = _field_name(run), _last_name(run)
            field_kind = None if field is None else _name_kind(field, classify)
            last_kind = None if last is None else classify(last)
        elif len(run) <= 64 and run[0] in _NAME_START:
            field_kind = last_kind = classify(run)
        else:
            continue
        if not (field_kind or last_kind):
            continue  # most names: no value to look at
        v = _EQ_VALUE.match(text, eq + 1)
        if v is None:
            continue
        if v.group(1) is not None:  # name=value
            kind, value, span = field_kind, v.group(1), v.span(1)
            if (spaced or v.start(1) > eq + 1) and value.isidentifier():
                continue  # source code (`session = await ...`), not a name=value pair
        else:  # name = "value"
            kind, value, span = last_kind, v.group(3), v.span(3)
            if value == FILTERED:
                continue
        if not kind or _PLACEHOLDER_VALUE.fullmatch(value):
            continue
        kind = _value_kind(kind, value)
        if kind is None:
            continue
        if spans and span[0] < spans[-1][1]:
            continue
        hits.add(f"key-in-text:{kind}")
        spans.append(span)
    return _filter_spans(text, spans)


def _field_name(run: str) -> str | None:
    """The name in the characters before an '=': it starts at the run's start or just after a
    bracket or '%' (the leftmost such place that starts like a name), at most 64 long."""
    starts = [0]
    if "[" in run or "]" in run or "%" in run:
        starts += [i + 1 for i, c in enumerate(run) if c in "[]%"]
    for start in starts:
        if len(run) - start <= 64 and start < len(run) and run[start] in _NAME_START:
            return run[start:]
    return None


def _last_name(run: str) -> str | None:
    """The plain name (no brackets) that ends the characters before an '='."""
    start = max(run.rfind("["), run.rfind("]"), run.rfind("%")) + 1
    if len(run) - start <= 64 and start < len(run) and run[start] in _NAME_START:
        return run[start:]
    return None


def _filter_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span, in order and apart, replaced by ``[Filtered]``."""
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts += [text[pos:start], FILTERED]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _name_kind(name: str, classify: Classifier) -> str | None:
    """A form field's kind: ``user[password]`` is sensitive because one of its parts is."""
    if "[" not in name and "%" not in name:
        return classify(name)
    for part in _BRACKETS.split(name):
        kind = classify(part) if part else None
        if kind:
            return kind
    return None


def _quoted(text: str, hits: Fired, classify: Classifier) -> str:
    def repl(m: re.Match[str]) -> str:
        value = m.group(5) if m.group(4) else m.group(6)
        if not value or value == FILTERED:
            return m.group(0)
        kind = classify(m.group(2))
        if not kind or (kind := _value_kind(kind, value)) is None:
            return m.group(0)
        hits.add(f"key-in-text:{kind}")
        q = m.group(4) or '"'
        return f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{q}{FILTERED}{q}"

    return _QUOTED_PAIR.sub(repl, text)


def _colon(text: str, hits: Fired, classify: Classifier) -> str:
    n = len(text)
    found: list[tuple[str, int]] = []  # (name, position of its colon), right to left
    for m in _COLON_NAME_REVERSED.finditer(text[::-1]):
        name = m.group(1)[::-1]
        if name[0] in _LETTERS:
            found.append((name, n - 1 - m.start()))
    spans: list[tuple[int, int]] = []
    for name, colon in reversed(found):
        kind = classify(name)
        if not kind or kind == "session":
            continue
        v = _COLON_VALUE.match(text, colon + 1)
        if v is None:
            continue
        value = v.group(1)
        if value.lower() in _SCHEME_WORDS or value.startswith("//"):
            continue
        if (kind := _value_kind(kind, value)) is None:
            continue
        start, end = v.span(1)
        if spans and start < spans[-1][1]:
            continue
        hits.add(f"key-in-text:{kind}")
        spans.append((start, end))
    return _filter_spans(text, spans)


def _value_kind(kind: str, value: str) -> str | None:
    """The kind of secret a value under a name of this kind is: the name's own kind, or for a
    generic key name (``gateway_key``) ``api_key`` only when the value is plainly a credential;
    None when the value is to be kept (a version, an ordinary cache key)."""
    if kind == GENERIC_KEY:
        return "api_key" if looks_like_credential(value) else None
    if kind == VERSION_KEY:
        return None
    return kind


def rule_kind(rule: str) -> str:
    """The kind of secret a rule name stands for."""
    if ":" in rule:
        return rule.split(":", 1)[1]
    return RULE_KINDS.get(rule, rule)

"""Settings, resolved as sentry-cli does: flag > environment > .env files > .sentryclirc;
the organization and project then fall back to the spec file's ``organization:`` and
``project:``, the same for every command.

Each value remembers where it came from, so ``para-monitor config`` can say so. Secrets are
registered with :mod:`para_monitor_cli.redaction` as soon as they are read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self, TypeVar
from urllib.parse import urlsplit

from para_monitor_cli.errors import UsageError

DEFAULT_URL = "https://sentry.io/"
DEFAULT_CONFIG = "alert_rules.yaml"

# setting name -> (environment variable, .sentryclirc section, .sentryclirc key)
_KEYS: dict[str, tuple[str, str | None, str | None]] = {
    "auth_token": ("SENTRY_AUTH_TOKEN", "auth", "token"),
    "org": ("SENTRY_ORG", "defaults", "org"),
    "project": ("SENTRY_PROJECT", "defaults", "project"),
    "url": ("SENTRY_URL", "defaults", "url"),
    "dsn": ("SENTRY_DSN", "auth", "dsn"),
    "environment": ("ENVIRONMENT", None, None),
    "version": ("VERSION", None, None),
}
SECRET_KEYS = frozenset({"auth_token", "dsn"})


@dataclass(frozen=True)
class Value:
    value: str | None
    source: (
        # "flag --org", "env SENTRY_ORG", ".env (path)", ".sentryclirc (path)",
        # "file alert_rules.yaml (organization:)", "default", "unset"
        str
    )


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Attribute access gives the value; ``sources`` says where it came from."""

    values: Mapping[str, Value]
    config: Path = field(default_factory=lambda: Path(DEFAULT_CONFIG))
    output: str = "text"
    debug: bool = False
    # the global --timeout: seconds per API request, retries included (None: the default)
    timeout: float | None = None
    config_source: str = "default"  # "flag --config" when given

    def get(self, name: str) -> str | None:
        return self.values[name].value

    @property
    def auth_token(self) -> str | None:
        return self.get("auth_token")

    @property
    def org(self) -> str | None:
        return self.get("org")

    @property
    def project(self) -> str | None:
        return self.get("project")

    @property
    def url(self) -> str:
        return self.get("url") or DEFAULT_URL

    @property
    def dsn(self) -> str | None:
        return self.get("dsn")

    @property
    def environment(self) -> str | None:
        return self.get("environment")

    @property
    def version(self) -> str | None:
        return self.get("version")

    def require(self, name: str) -> str:
        """The value of a setting, or a usage error that says how to give it."""
        value = self.get(name)
        if value:
            return value
        env = _KEYS[name][0]
        flag = "--" + name.replace("_", "-")
        raise UsageError(f"no {name.replace('_', ' ')} configured: pass {flag} or set {env}")

    def shown(self) -> list[tuple[str, str, str]]:
        """(name, redacted value, source) rows for ``para-monitor config``."""
        rows = []
        for name, item in self.values.items():
            rows.append((name, display_value(name, item.value), item.source))
        rows.append(("config", str(self.config), self.config_source))
        return rows


def display_value(name: str, value: str | None) -> str:
    if value is None:
        return "-"
    if name == "auth_token":
        return "set (hidden)"
    if name == "dsn":
        from para_monitor_cli.redaction import redact_dsn

        return redact_dsn(value)
    return value


def parse_dotenv(text: str, source: str = ".env") -> dict[str, str]:
    """Parse a .env file: KEY=VALUE lines, optional ``export``, quotes, ``#`` comments.

    A quoted value must close its quote on the same line (a :class:`UsageError` naming
    ``source`` and the line otherwise); lines without ``=`` are ignored.
    """
    result: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if value[:1] in {'"', "'"}:
            quote = value[0]
            end = value.find(quote, 1)
            if end == -1:
                raise UsageError(
                    f"{source}:{number}: the value of {key} opens a {quote} quote "
                    "that is never closed",
                    hint=f"close the quote: {key}={quote}...{quote}",
                )
            rest = value[end + 1 :].strip()
            if rest and not rest.startswith("#"):
                raise UsageError(
                    f"{source}:{number}: unexpected text after the quoted value of {key}"
                )
            value = value[1:end]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        if key:
            result[key] = value
    return result


def find_sentryclirc(cwd: Path, home: Path | None) -> list[Path]:
    """sentry-cli's lookup: the global ~/.sentryclirc, then the nearest .sentryclirc found
    walking up from the working directory (the project file wins over the global one)."""
    found: list[Path] = []
    if home is not None and (home / ".sentryclirc").is_file():
        found.append(home / ".sentryclirc")
    for directory in (cwd, *cwd.parents):
        candidate = directory / ".sentryclirc"
        if candidate.is_file():
            if candidate not in found:
                found.append(candidate)
            break
    return found


def _read_sentryclirc(path: Path) -> dict[str, str]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (configparser.Error, UnicodeDecodeError) as exc:
        line, problem = _sentryclirc_problem(exc)
        where = f"{path}:{line}" if line is not None else str(path)
        raise UsageError(f"{where}: not a valid .sentryclirc: {problem}") from None
    values: dict[str, str] = {}
    for name, (_env, section, key) in _KEYS.items():
        if section and key and parser.has_option(section, key):
            values[name] = parser.get(section, key).strip()
    return values


def _sentryclirc_problem(exc: Exception) -> tuple[int | None, str]:
    """(line, what is wrong) for a .sentryclirc parse error, never quoting the line itself
    (it may hold the token)."""
    import configparser

    if isinstance(exc, configparser.MissingSectionHeaderError):
        return exc.lineno, "a setting before any [section] header"
    if isinstance(exc, configparser.DuplicateOptionError):
        return exc.lineno, f"{exc.option!r} appears twice in [{exc.section}]"
    if isinstance(exc, configparser.DuplicateSectionError):
        return exc.lineno, f"section [{exc.section}] appears twice"
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        more = len(exc.errors) - 1
        return exc.errors[0][0], "not a 'key = value' line" + (
            f" (and {more} more)" if more else ""
        )
    if isinstance(exc, UnicodeDecodeError):
        return exc.object[: exc.start].count(b"\n") + 1, "not UTF-8 text"
    return None, type(exc).__name__


URL_FORM = "http(s)://host[:port]/"


def check_url(value: str, source: str) -> None:
    """Raise a :class:`UsageError` naming ``source`` unless ``value`` is an http(s) URL with a
    host and a valid port."""
    problem: str | None = None
    try:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https"):
            problem = "it does not start with http:// or https://"
        elif not parts.hostname:
            problem = "it has no host"
        else:
            parts.port  # noqa: B018  (raises ValueError for a port out of range or not a number)
    except ValueError as exc:
        text = str(exc)
        problem = "the port is not a number" if text.startswith("Port could not") else text
    if problem is not None:
        raise UsageError(
            f"{setting_label('url', source)} {value!r} is not a Sentry URL: {problem}",
            hint=f"the URL looks like {URL_FORM}, e.g. https://sentry.io/ or "
            "http://127.0.0.1:9000/",
        )


def setting_label(name: str, source: str) -> str:
    """A setting named as where it came from: ``--url``, ``SENTRY_URL (environment)``,
    ``SENTRY_URL in /app/.env``, ``url in /home/me/.sentryclirc``."""
    env, _section, key = _KEYS[name]
    if source.startswith("flag "):
        return source.removeprefix("flag ")
    if source.startswith("env "):
        return f"{env} (environment)"
    path = source.partition(" (")[2].removesuffix(")")
    if source.startswith(".sentryclirc"):
        return f"{key or name} in {path}"
    if source.startswith(".env"):
        return f"{env} in {path}"
    if source.startswith("file "):
        file, _, key = source.removeprefix("file ").rpartition(" (")
        return f"{key.removesuffix(')')} in {file}"
    return f"{env} ({source})"


def resolve(
    flags: Mapping[str, str | None],
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
    config: Path | None = None,
    output: str = "text",
    debug: bool = False,
    config_source: str | None = None,
) -> Settings:
    """Resolve every setting from flags, environment, .env files and .sentryclirc."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    if home is None:
        home_env = environ.get("HOME")
        home = Path(home_env) if home_env else None

    dotenvs: list[tuple[Path, dict[str, str]]] = []
    for candidate in (cwd / ".env", cwd / "backend" / ".env"):
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8")
            dotenvs.append((candidate, parse_dotenv(text, str(candidate))))
    rcs = [(p, _read_sentryclirc(p)) for p in find_sentryclirc(cwd, home)]

    values: dict[str, Value] = {}
    for name, (env, _section, _key) in _KEYS.items():
        values[name] = _resolve_one(name, env, flags, environ, dotenvs, rcs)
    shown_file = config if config is not None else Path(DEFAULT_CONFIG)
    if any(values[name].value is None for name in SPEC_KEYS):  # the last fallback: the file
        for name, value in spec_defaults(cwd / shown_file).items():
            if values[name].value is None:
                values[name] = Value(value, f"file {shown_file} ({SPEC_KEYS[name]}:)")
    if values["url"].source != "default" and values["url"].value:
        check_url(values["url"].value, values["url"].source)
    from para_monitor_cli.redaction import register_secret

    for name in SECRET_KEYS:
        secret = values[name].value
        register_secret(secret)
        if name == "dsn" and secret:
            _register_dsn_keys(secret)
    return Settings(
        values=values,
        config=config if config is not None else Path(DEFAULT_CONFIG),
        output=output,
        debug=debug,
        config_source=config_source or ("flag --config" if config is not None else "default"),
    )


# settings whose last fallback is a top-level key of the spec file (alert_rules.yaml)
SPEC_KEYS = {"org": "organization", "project": "project"}


def spec_defaults(path: Path) -> dict[str, str]:
    """The spec file's top-level ``organization:`` and ``project:`` (as settings ``org`` and
    ``project``), read without validating the file (``validate`` reports a broken one: then
    there are no defaults). PyYAML's C loader when it is available."""
    if not path.is_file():
        return {}
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (safe)
    except (yaml.YAMLError, OSError, UnicodeDecodeError, RecursionError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    found: dict[str, str] = {}
    for name, key in SPEC_KEYS.items():
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            found[name] = value.strip()
    return found


class _SpecLike(Protocol):
    def model_copy(self, *, update: Mapping[str, object] | None = None) -> Self: ...


SpecT = TypeVar("SpecT", bound=_SpecLike)


def with_settings_scope(spec: SpecT, settings: Settings) -> SpecT:
    """``spec`` with the organization and project the settings resolved (flag > environment >
    .env > .sentryclirc > the file's own ``organization:`` / ``project:``), so that plan,
    apply-alerts and check-setup all follow the same precedence. A monitor's, alert's or
    dashboard's own ``project:`` still names its project."""
    update = {}
    for name, key in SPEC_KEYS.items():
        value = settings.get(name)
        if value and getattr(spec, key, None) != value:
            update[key] = value
    return spec.model_copy(update=update) if update else spec


def _resolve_one(
    name: str,
    env: str,
    flags: Mapping[str, str | None],
    environ: Mapping[str, str],
    dotenvs: list[tuple[Path, dict[str, str]]],
    rcs: list[tuple[Path, dict[str, str]]],
) -> Value:
    flag_value = flags.get(name)
    if flag_value:
        return Value(flag_value, "flag --" + name.replace("_", "-"))
    if environ.get(env):
        return Value(environ[env], f"env {env}")
    for path, parsed in dotenvs:
        if parsed.get(env):
            return Value(parsed[env], f".env ({path})")
    for path, parsed in reversed(rcs):  # the project file overrides the global one
        if parsed.get(name):
            return Value(parsed[name], f".sentryclirc ({path})")
    if name == "url":
        return Value(DEFAULT_URL, "default")
    return Value(None, "unset")


def _register_dsn_keys(dsn: str) -> None:
    from para_monitor_cli.redaction import register_secret

    _scheme, sep, rest = dsn.partition("://")
    if not sep or "@" not in rest:
        return
    userinfo = rest.split("@", 1)[0]
    for part in userinfo.split(":"):
        register_secret(part)

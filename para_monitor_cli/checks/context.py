"""What every check can ask for: settings, options, and shared, fetched-once Sentry data.

Checks run concurrently and several need the same thing (the project, the spec, the
integrations). :meth:`CheckContext.memo` computes each once: the first caller computes while
the others wait, and a failure is remembered too, so an unreachable Sentry is tried once, not
once per check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from para_monitor_cli.errors import UsageError
from para_monitor_cli.settings import Settings

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient
    from para_monitor_cli.spec import Spec
    from para_monitor_cli.spec.check import SpecSource

T = TypeVar("T")
DEFAULT_WORKERS = 8
DEFAULT_ARRIVAL_TIMEOUT = 60.0


@dataclass(frozen=True)
class CheckOptions:
    """The check-setup flags that are not settings."""

    offline: bool = False
    samples: tuple[Path, ...] = ()
    hook: str | None = None  # module:function, the backend's own before_send
    arrival_timeout: float = DEFAULT_ARRIVAL_TIMEOUT


@dataclass
class _Slot:
    lock: threading.Lock
    done: bool = False
    value: Any = None
    error: BaseException | None = None


class CheckContext:
    """Settings, options and a memo of shared fetches, for one run of the checklist."""

    def __init__(
        self,
        settings: Settings,
        options: CheckOptions | None = None,
        *,
        client: SentryClient | None = None,
        client_factory: Callable[[], SentryClient] | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or CheckOptions()
        self._client = client
        self._owns_client = client is None  # a client built here is closed by close()
        self._client_factory = client_factory
        self._client_lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}
        self._slots_lock = threading.Lock()

    # ------------------------------------------------------------------ options
    @property
    def offline(self) -> bool:
        return self.options.offline

    @property
    def spec_path(self) -> Path:
        return self.settings.config

    # ------------------------------------------------------------------ settings
    def _spec_default(self, name: str) -> str | None:
        """The spec's ``organization`` / ``project`` default, if the file loads."""
        try:
            spec = self.spec()
        except Exception:  # the spec check reports a broken file
            return None
        value = spec.organization if name == "org" else spec.project
        return value or None

    def setting(self, name: str) -> str | None:
        """A setting, with ``org`` and ``project`` falling back to the spec's defaults."""
        value = self.settings.get(name)
        if value or name not in ("org", "project"):
            return value
        return self._spec_default(name)

    def org(self) -> str:
        """The organization: --org / SENTRY_ORG, else the spec's ``organization``."""
        return self.setting("org") or self.settings.require("org")

    def project_slug(self) -> str:
        """The project: --project / SENTRY_PROJECT, else the spec's ``project``."""
        return self.setting("project") or self.settings.require("project")

    def where(self) -> str:
        """``org/project`` for evidence lines."""
        return f"{self.setting('org') or '?'}/{self.setting('project') or '?'}"

    def target(self) -> dict[str, str | None]:
        return {
            "url": self.settings.url,
            "org": self.setting("org"),
            "project": self.setting("project"),
            "config": str(self.settings.config),
        }

    def require_online(self) -> None:
        """Raise a usage error if a networked check cannot even start (no token/org/project)."""
        missing = [name for name in ("auth_token", "org", "project") if not self.setting(name)]
        if missing:
            names = ", ".join(n.replace("_", " ") for n in missing)
            raise UsageError(
                f"checking Sentry needs {names}: pass "
                + ", ".join("--" + n.replace("_", "-") for n in missing)
                + " (or set the SENTRY_* variables)",
                hint="--offline runs only the checks that need no network",
            )

    # ------------------------------------------------------------------ the client
    def client(self) -> SentryClient:
        with self._client_lock:
            if self._client is None:
                if self._client_factory is not None:
                    self._client = self._client_factory()
                else:
                    from para_monitor_cli.api.client import client_from_settings

                    self._client = client_from_settings(self.settings)
            return self._client

    def close(self) -> None:
        """Close the API client if this context built it (an injected one is left open)."""
        with self._client_lock:
            if self._client is not None and self._owns_client:
                self._client.http.close()

    def has_client(self) -> bool:
        return self._client is not None

    def concurrency(self) -> int:
        """How many checks may run at once: the client's concurrency limit, capped."""
        if self._client is not None:
            return max(1, min(DEFAULT_WORKERS, self._client.limiter.limit))
        return DEFAULT_WORKERS

    def request_count(self) -> int | None:
        return self._client.request_count if self._client is not None else None

    # ------------------------------------------------------------------ memo
    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per key for the whole run; errors are remembered and re-raised."""
        with self._slots_lock:
            slot = self._slots.setdefault(key, _Slot(threading.Lock()))
        with slot.lock:
            if not slot.done:
                try:
                    slot.value = compute()
                except BaseException as exc:
                    slot.error = exc
                slot.done = True
        if slot.error is not None:
            raise slot.error
        return cast(T, slot.value)

    # ------------------------------------------------------------------ shared data
    def spec(self) -> Spec:
        return self.spec_source()[0]

    def spec_source(self) -> tuple[Spec, SpecSource]:
        """The spec and where each of its parts was written (for file lines in findings); the
        organization and project as every command takes them: settings, then the file."""
        from para_monitor_cli.settings import with_settings_scope
        from para_monitor_cli.spec.check import load_spec_source

        def load() -> tuple[Spec, SpecSource]:
            spec, source = load_spec_source(self.spec_path)
            return with_settings_scope(spec, self.settings), source

        return self.memo("spec", load)

    def project(self) -> dict[str, Any]:
        def fetch() -> dict[str, Any]:
            body = self.client().project(self.project_slug(), org=self.org())
            return body if isinstance(body, dict) else {}

        return self.memo("project", fetch)

    def integrations(self) -> list[dict[str, Any]]:
        return self.memo(
            "integrations",
            lambda: [i for i in self.client().integrations(org=self.org()) if isinstance(i, dict)],
        )

    def members(self) -> list[dict[str, Any]]:
        return self.memo(
            "members",
            lambda: [m for m in self.client().members(org=self.org()) if isinstance(m, dict)],
        )

    def teams(self) -> list[dict[str, Any]]:
        return self.memo(
            "teams",
            lambda: [t for t in self.client().teams(org=self.org()) if isinstance(t, dict)],
        )

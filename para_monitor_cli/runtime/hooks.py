"""The scrubbing hook points wired into sentry-sdk by :func:`init_sentry`.

sentry-sdk calls three hooks: ``before_send`` (errors and messages), ``before_send_transaction``
(transactions: ``before_send`` never sees them) and ``before_breadcrumb`` (as each breadcrumb
is recorded). Each runs the scrubbing engine first, then the application's own hook if it
gave one. A hook that raises would lose the event inside the SDK, so a failing user hook drops
the event deliberately rather than letting an unscrubbed one through.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from para_monitor_cli.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

Event = dict[str, Any]
Hint = dict[str, Any]
EventHook = Callable[[Event, Hint], Event | None]
BreadcrumbHook = Callable[[dict[str, Any], Hint], dict[str, Any] | None]

logger = logging.getLogger("para_monitor")

# Our own diagnostics (these hooks' warnings, the CLI's HTTP traces): sentry-sdk's logging
# integration must never turn them into events or breadcrumbs, or a raising hook's warning
# would be captured, go through the hook, raise again, and so on.
OWN_LOGGERS = ("para_monitor", "para_monitor.*", "para_monitor_cli", "para_monitor_cli.*")


@dataclass(frozen=True)
class Hooks:
    """The three hooks, ready to pass to ``sentry_sdk.init``."""

    engine_event: EventHook | None = None
    engine_breadcrumb: BreadcrumbHook | None = None
    user_before_send: EventHook | None = None
    user_before_send_transaction: EventHook | None = None
    user_before_breadcrumb: BreadcrumbHook | None = None

    def before_send(self, event: Event, hint: Hint) -> Event | None:
        return _chain(event, hint, self.engine_event, self.user_before_send)

    def before_send_transaction(self, event: Event, hint: Hint) -> Event | None:
        return _chain(event, hint, self.engine_event, self.user_before_send_transaction)

    def before_breadcrumb(self, crumb: dict[str, Any], hint: Hint) -> dict[str, Any] | None:
        return _chain(crumb, hint, self.engine_breadcrumb, self.user_before_breadcrumb)

    def sdk_options(self) -> dict[str, Any]:
        return {
            "before_send": self.before_send,
            "before_send_transaction": self.before_send_transaction,
            "before_breadcrumb": self.before_breadcrumb,
        }


def _chain(
    item: dict[str, Any],
    hint: Hint,
    engine: Callable[[dict[str, Any], Hint], dict[str, Any] | None] | None,
    user: Callable[[dict[str, Any], Hint], dict[str, Any] | None] | None,
) -> dict[str, Any] | None:
    result: dict[str, Any] | None = item
    for hook in (engine, user):
        if hook is None or result is None:
            continue
        try:
            result = hook(result, hint)
        except Exception as exc:  # a raising hook must not let the event through unscrubbed
            # A warning, on a logger the SDK ignores (see OWN_LOGGERS): one line per dropped
            # event, never captured as an event that would go through this hook again.
            logger.warning(
                "para-monitor: hook %s raised %s; the event was dropped",
                getattr(hook, "__qualname__", repr(hook)),
                type(exc).__name__,
            )
            return None
    return result


def load_hook(spec: str, flag: str = "--hook", cwd: Path | None = None) -> Callable[..., Any]:
    """Import the application's own hook given as ``module:function`` (``function`` may be
    dotted: ``module:Class.method``), with the working directory importable as the backend
    itself would have it. Errors name what is missing, never the hook's source."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"{flag} {spec!r}: expected module:function, e.g. app.sentry:before_send")
    from pathlib import Path

    root = str((cwd or Path.cwd()).resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an import that fails for any reason is the user's to fix
        raise UsageError(
            f"{flag}: cannot import module {module_name!r} ({type(exc).__name__})"
        ) from None
    target: Any = module
    for part in attr.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise UsageError(f"{flag}: module {module_name!r} has no attribute {attr!r}")
    if not callable(target):
        raise UsageError(f"{flag}: {spec!r} is not callable")
    hook: Callable[..., Any] = target
    return hook

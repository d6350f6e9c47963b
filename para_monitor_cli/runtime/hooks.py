"""The scrubbing hook points wired into sentry-sdk by :func:`init_sentry`.

sentry-sdk calls three hooks: ``before_send`` (errors and messages), ``before_send_transaction``
(transactions: ``before_send`` never sees them) and ``before_breadcrumb`` (as each breadcrumb
is recorded). Each runs the scrubbing engine first, then the application's own hook if it
gave one. A hook that raises would lose the event inside the SDK, so a failing user hook drops
the event deliberately rather than letting an unscrubbed one through.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

Event = dict[str, Any]
Hint = dict[str, Any]
EventHook = Callable[[Event, Hint], Event | None]
BreadcrumbHook = Callable[[dict[str, Any], Hint], dict[str, Any] | None]

logger = logging.getLogger("para_monitor")

# Our own diagnostics (these hooks' warnings, the CLI's HTTP traces): sentry-sdk's logging
# integration must never turn them into events or breadcrumbs, or a raising hook's warning
# would be captured, go through the hook, raise again, and so on.
OWN_LOGGERS = ("para_monitor", "para_monitor.*", "para_monitor_cli", "para_monitor_cli.*")


class Hooks:
    """The three hooks, ready to pass to ``sentry_sdk.init``. (A plain class, not a
    dataclass: building a dataclass costs milliseconds at import, and importing the runtime
    without a DSN should cost nothing.)"""

    __slots__ = (
        "engine_breadcrumb",
        "engine_event",
        "user_before_breadcrumb",
        "user_before_send",
        "user_before_send_transaction",
    )

    def __init__(
        self,
        engine_event: EventHook | None = None,
        engine_breadcrumb: BreadcrumbHook | None = None,
        user_before_send: EventHook | None = None,
        user_before_send_transaction: EventHook | None = None,
        user_before_breadcrumb: BreadcrumbHook | None = None,
    ) -> None:
        self.engine_event = engine_event
        self.engine_breadcrumb = engine_breadcrumb
        self.user_before_send = user_before_send
        self.user_before_send_transaction = user_before_send_transaction
        self.user_before_breadcrumb = user_before_breadcrumb

    def before_send(self, event: Event, hint: Hint) -> Event | None:
        return chain(self.engine_event, self.user_before_send)(event, hint)

    def before_send_transaction(self, event: Event, hint: Hint) -> Event | None:
        return chain(self.engine_event, self.user_before_send_transaction)(event, hint)

    def before_breadcrumb(self, crumb: dict[str, Any], hint: Hint) -> dict[str, Any] | None:
        return chain(self.engine_breadcrumb, self.user_before_breadcrumb)(crumb, hint)

    def sdk_options(self) -> dict[str, Any]:
        """The hooks composed once, here: sentry-sdk calls them for every event and breadcrumb
        of every request, so each is one guarded call of the engine (and of the application's
        hook after it when there is one), with nothing else to decide or allocate per call."""
        before_send = chain(self.engine_event, self.user_before_send)
        bounding = getattr(self.engine_event, "para_monitor_bounding", None)
        if bounding is not None:  # see runtime.scrubbing.bounding_processor
            before_send.para_monitor_bounding = bounding  # type: ignore[attr-defined]
        return {
            "before_send": before_send,
            "before_send_transaction": chain(self.engine_event, self.user_before_send_transaction),
            "before_breadcrumb": chain(self.engine_breadcrumb, self.user_before_breadcrumb),
        }


Item = dict[str, Any]
ItemHook = Callable[[Item, Hint], Item | None]


def chain(*hooks: ItemHook | None) -> ItemHook:
    """The given hooks (None ones left out) called in order, each on what the previous one
    returned, stopping at None. A hook that raises drops the item: letting it through would
    send it unscrubbed (sentry-sdk keeps the original breadcrumb when before_breadcrumb raises),
    so the item is dropped deliberately, with one warning."""
    present = [hook for hook in hooks if hook is not None]
    if not present:
        return _keep
    if len(present) == 1:
        (only,) = present

        def one(item: Item, hint: Hint) -> Item | None:
            try:
                return only(item, hint)
            except Exception as exc:  # a raising hook must not let the event through
                _dropped(only, exc)
                return None

        return one

    def many(item: Item, hint: Hint) -> Item | None:
        result = item
        for hook in present:
            try:
                new = hook(result, hint)
            except Exception as exc:  # a raising hook must not let the event through
                _dropped(hook, exc)
                return None
            if new is None:
                return None
            result = new
        return result

    return many


def _keep(item: Item, hint: Hint) -> Item | None:
    return item


def _dropped(hook: Callable[..., Any], exc: Exception) -> None:
    # A warning, on a logger the SDK ignores (see OWN_LOGGERS): one line per dropped event,
    # never captured as an event that would go through this hook again.
    logger.warning(
        "para-monitor: hook %s raised %s; the event was dropped",
        getattr(hook, "__qualname__", repr(hook)),
        getattr(exc, "kind", None) or type(exc).__name__,  # a guarded hook's original
    )


class HookFailure(Exception):
    """The application's hook raised, or called ``sys.exit()``. ``shown`` says which and where
    (``ValueError at app/sentry.py:12``, ``sys.exit(3) at app/sentry.py:7``), never the
    exception's own message: it may hold the very data the hook was scrubbing."""

    def __init__(self, shown: str, kind: str) -> None:
        super().__init__(shown)
        self.shown = shown
        self.kind = kind  # the original exception's class name ("SystemExit" for sys.exit)


def _where(tb: TracebackType | None, root: Path) -> str:
    """``file:line`` of the innermost frame of a traceback (relative to ``root`` when below)."""
    import traceback

    frames = traceback.extract_tb(tb) if tb is not None else []
    if not frames:
        return "an unknown place"
    return _place(frames[-1].filename, frames[-1].lineno, root)


def _place(filename: str | None, line: int | None, root: Path) -> str:
    from pathlib import Path

    path = Path(filename or "?")
    with contextlib.suppress(ValueError):
        path = path.resolve().relative_to(root)
    return f"{path}:{line}" if line is not None else str(path)


def _exit_text(code: object) -> str:
    # an int is shown; a string argument may be a message holding data, so it is not
    return f"sys.exit({code})" if code is None or isinstance(code, int) else "sys.exit(...)"


def guard_hook(hook: Callable[..., Any], root: Path) -> Callable[..., Any]:
    """``hook``, with ``sys.exit()`` and exceptions turned into :class:`HookFailure` (so a
    report or check goes on and says what happened, instead of the process ending silently).
    Ctrl-C still stops everything."""
    import functools

    @functools.wraps(hook)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return hook(*args, **kwargs)
        except SystemExit as exc:
            where = _where(exc.__traceback__, root)
            shown = f"{_exit_text(exc.code)} at {where} (SystemExit)"
            raise HookFailure(shown, "SystemExit") from None
        except Exception as exc:
            where = _where(exc.__traceback__, root)
            kind = type(exc).__name__
            raise HookFailure(f"{kind} at {where}", kind) from None

    return guarded


def load_hook(spec: str, flag: str = "--hook", cwd: Path | None = None) -> Callable[..., Any]:
    """Import the application's own hook given as ``module:function`` (``function`` may be
    dotted: ``module:Class.method``), with the working directory importable as the backend
    itself would have it. Errors name what is missing and where (a syntax error's file and
    line), never the hook's source. The hook returned is guarded (:func:`guard_hook`)."""
    from pathlib import Path

    from para_monitor_cli.errors import UsageError

    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"{flag} {spec!r}: expected module:function, e.g. app.sentry:before_send")
    root_path = (cwd or Path.cwd()).resolve()
    root = str(root_path)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        where = _place(exc.filename, exc.lineno, root_path)
        raise UsageError(
            # the compiler's own message names no value of the file (it says what is wrong)
            f"{flag}: cannot import module {module_name!r}: {type(exc).__name__} at {where}: "
            f"{exc.msg}"
        ) from None
    except SystemExit as exc:  # the module calls sys.exit() when imported
        where = _where(exc.__traceback__, root_path)
        raise UsageError(
            f"{flag}: cannot import module {module_name!r}: it called "
            f"{_exit_text(exc.code)} at {where}"
        ) from None
    except Exception as exc:  # an import that fails for any reason is the user's to fix
        missing = isinstance(exc, ModuleNotFoundError) and exc.name == module_name
        where = "" if missing else f" at {_where(exc.__traceback__, root_path)}"
        raise UsageError(
            f"{flag}: cannot import module {module_name!r} ({type(exc).__name__}{where})"
        ) from None
    target: Any = module
    for part in attr.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise UsageError(f"{flag}: module {module_name!r} has no attribute {attr!r}")
    if not callable(target):
        raise UsageError(f"{flag}: {spec!r} is not callable")
    hook: Callable[..., Any] = target
    return guard_hook(hook, root_path)

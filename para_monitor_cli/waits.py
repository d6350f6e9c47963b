"""Waiting, bounded, visible and interruptible: one policy for every wait of every command.

* :data:`CANCEL` is set when the user presses Ctrl-C (the CLI's SIGINT handler sets it before
  the main thread gets its ``KeyboardInterrupt``). :func:`pause` sleeps on it in slices, so a
  wait on any thread ends within :data:`SLICE` seconds of Ctrl-C, raising
  :class:`Interrupted` (a ``KeyboardInterrupt``) there too.
* :func:`notify` sends a progress line ("retrying POST detectors/ after HTTP 503 (2/5, in
  1.6 s)", "waiting for the test events (12 s of 90 s)") to the sink the CLI installed with
  :func:`set_sink` (a Rich status line on a terminal, a plain stderr line otherwise); with no
  sink it goes nowhere, so library callers and tests stay quiet.
* :func:`seconds_option` refuses ``nan``, ``inf`` and negative numbers of seconds (a usage
  error), for ``--timeout`` and every wait option.

A leaf module: it imports nothing from the rest of the package but :mod:`errors`.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable

from para_monitor_cli.errors import UsageError

SLICE = 0.2  # the longest a wait goes without looking at CANCEL
CANCEL = threading.Event()


class Interrupted(KeyboardInterrupt):
    """Ctrl-C seen by a wait on any thread (the main thread gets a plain KeyboardInterrupt)."""


def check_cancelled() -> None:
    """Raise :class:`Interrupted` if Ctrl-C was pressed."""
    if CANCEL.is_set():
        raise Interrupted


def pause(seconds: float) -> None:
    """Sleep ``seconds`` (at most, never negative), waking within :data:`SLICE` of Ctrl-C."""
    end = time.monotonic() + max(0.0, seconds)
    while True:
        check_cancelled()
        left = end - time.monotonic()
        if left <= 0:
            return
        CANCEL.wait(min(left, SLICE))


# --------------------------------------------------------------------------- progress lines
# kind: "retry" (a line of its own), "wait" (a transient status, replaced by the next one),
# "done" (the transient status is over)
Sink = Callable[[str, str], None]


class _Sink:
    sink: Sink | None = None
    lock = threading.Lock()


def set_sink(sink: Sink | None) -> None:
    """Install (or remove, with None) where progress lines go."""
    _Sink.sink = sink


def notify(text: str, kind: str = "retry") -> None:
    """Report a retry (``kind="retry"``), a wait in progress (``"wait"``) or its end
    (``"done"``, text ignored) to the installed sink; never raises."""
    sink = _Sink.sink
    if sink is None:
        return
    # a progress line must never break the work it reports
    with _Sink.lock, contextlib.suppress(Exception):
        sink(kind, text)


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    interval: float = 1.0,
) -> bool:
    """Call ``ready()`` every ``interval`` seconds until it is true or ``timeout`` passes,
    showing "waiting for <what> (N s of T s)"; True when ready. Interruptible."""
    started = time.monotonic()
    try:
        while True:
            if ready():
                return True
            waited = time.monotonic() - started
            if waited >= timeout:
                return False
            notify(f"waiting for {what} ({waited:.0f} s of {timeout:g} s)", "wait")
            pause(min(interval, timeout - waited))
    finally:
        notify("", "done")


# --------------------------------------------------------------------------- option values
MAX_SECONDS = 86400.0  # a day: longer waits are typos (and overflow socket timeouts)


def seconds_option(value: float, option: str, *, allow_zero: bool = False) -> float:
    """``value`` if it is a finite number of seconds (> 0, or >= 0 with ``allow_zero``, and
    at most :data:`MAX_SECONDS`), else a usage error naming ``option``; ``nan``, ``inf``,
    negatives and absurdly large values are refused."""
    if (
        not math.isfinite(value)
        or value < 0
        or (value == 0 and not allow_zero)
        or value > MAX_SECONDS
    ):
        bound = ">= 0" if allow_zero else "> 0"
        raise UsageError(
            f"{option} must be a finite number of seconds {bound} and at most "
            f"{MAX_SECONDS:g}, got {value:g}"
        )
    return value

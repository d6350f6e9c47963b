"""The seam between the runtime hooks and the scrubbing engine (para_monitor_cli.scrub).

:func:`engine_hooks` gives the event and breadcrumb hooks that :func:`init_sentry` chains in
front of the application's own; :func:`filter_sensitive_data` keeps the name and call shape of
the seed's ``sentry_config.filter_sensitive_data`` for code that calls it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from para_monitor_cli.runtime.hooks import BreadcrumbHook, Event, EventHook, Hint

# The engine is imported by the functions that use it: importing the runtime without a DSN
# compiles none of its patterns.


def engine_hooks(
    sensitive_fields: Sequence[str] = (),
    safe_fields: Sequence[str] = (),
    *,
    allow_pii_in_text: bool = False,
) -> tuple[EventHook | None, BreadcrumbHook | None]:
    """The engine's event hook (errors, messages and transactions) and breadcrumb hook,
    configured with the extra sensitive and safe field names, and whether emails and IP
    addresses in free text are kept."""
    from para_monitor_cli.scrub import Scrubber, ScrubConfig, default_scrubber

    if sensitive_fields or safe_fields or allow_pii_in_text:
        scrubber = Scrubber(
            ScrubConfig(tuple(sensitive_fields), tuple(safe_fields), allow_pii_in_text)
        )
    else:
        scrubber = default_scrubber()

    # sentry-sdk serialises an event into new containers just before before_send and
    # before_send_transaction: the hook owns it and scrubs it in place (no copy of the path to
    # each secret). A breadcrumb's data may be the application's own dict: copied on write.
    events = scrubber.in_place()

    def scrub_event_hook(event: Event, hint: Hint) -> Event | None:
        return events.event(event)

    def scrub_breadcrumb_hook(crumb: dict[str, Any], hint: Hint) -> dict[str, Any] | None:
        return scrubber.breadcrumb(crumb)

    return scrub_event_hook, scrub_breadcrumb_hook


def filter_sensitive_data(event: Event, hint: Hint | None = None) -> Event | None:
    """The seed's ``before_send``, done properly: every surface of the event, at any depth.

    Usable directly as ``sentry_sdk.init(before_send=filter_sensitive_data)``; it never raises.
    """
    from para_monitor_cli.scrub import default_scrubber

    return default_scrubber().event(event)

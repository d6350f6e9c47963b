"""The time zone names a cron monitor may use.

Sentry accepts the names of ``AVAILABLE_TIMEZONES`` (sentry.utils.dates; the OpenAPI spec lists
them in ``createOrganizationMonitor``'s ``config.timezone`` enum): the tz database's names. Here
they come from the tz database Python reads (``zoneinfo``), which held every one of the spec's
598 names on the machines this was written on.
"""

from __future__ import annotations

import functools
import zoneinfo


@functools.cache
def known_timezones() -> frozenset[str]:
    """Every tz database name, plus ``UTC``."""
    return frozenset(zoneinfo.available_timezones() | {"UTC"})

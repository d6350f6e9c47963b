"""The seam between the runtime hooks and the scrubbing engine (para_monitor_cli.scrub)."""

from __future__ import annotations

from collections.abc import Sequence

from para_monitor_cli.runtime.hooks import BreadcrumbHook, EventHook


def engine_hooks(
    sensitive_fields: Sequence[str] = (), safe_fields: Sequence[str] = ()
) -> tuple[EventHook | None, BreadcrumbHook | None]:
    """The engine's event and breadcrumb hooks, configured with the extra fields.

    The scrubbing engine lands with its own issue; until then no engine is wired and the hook
    points pass events to the application's own hooks unchanged.
    """
    del sensitive_fields, safe_fields
    return None, None

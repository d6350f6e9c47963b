"""The scrubbing engine (standard library only) and the leak checker with its corpus."""

from para_monitor_cli.scrub.engine import (
    Finding,
    Scrubber,
    ScrubConfig,
    config_from,
    default_scrubber,
    scrub_event,
)
from para_monitor_cli.scrub.keys import classify
from para_monitor_cli.scrub.text import FILTERED, scrub_text

__all__ = [
    "FILTERED",
    "Finding",
    "ScrubConfig",
    "Scrubber",
    "classify",
    "config_from",
    "default_scrubber",
    "scrub_event",
    "scrub_text",
]

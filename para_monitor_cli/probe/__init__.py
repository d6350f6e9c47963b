"""The test-event probe: send through the backend's own sentry-sdk set-up with an observing
transport and planted fake secrets, measure delivery, confirm arrival through the API and
check that no planted secret was stored.

``run_probe(ProbeOptions(dsn=...), api=client, org=..., project=...)`` is the whole flow;
``test-event`` and the checklist both call it.
"""

from para_monitor_cli.probe.arrival import Arrival, EventApi, Wanted, confirm_arrival
from para_monitor_cli.probe.flow import (
    DEFAULT_ARRIVAL_TIMEOUT,
    EventOutcome,
    ProbeResult,
    event_link,
    run_probe,
)
from para_monitor_cli.probe.planted import Leak, PlantedSecret, PlantedSecrets, find_leaks, plant
from para_monitor_cli.probe.send import (
    COMPRESSIONS,
    RUN_TAG,
    ProbeOptions,
    SendReport,
    SentEvent,
    send_test_events,
)
from para_monitor_cli.probe.transport import (
    DEFAULT_SEND_TIMEOUT,
    DeliveryLog,
    EnvelopeRecord,
    ObservingTransport,
    delivery_problem,
)

__all__ = [
    "COMPRESSIONS",
    "DEFAULT_ARRIVAL_TIMEOUT",
    "DEFAULT_SEND_TIMEOUT",
    "RUN_TAG",
    "Arrival",
    "DeliveryLog",
    "EnvelopeRecord",
    "EventApi",
    "EventOutcome",
    "Leak",
    "ObservingTransport",
    "PlantedSecret",
    "PlantedSecrets",
    "ProbeOptions",
    "ProbeResult",
    "SendReport",
    "SentEvent",
    "Wanted",
    "confirm_arrival",
    "delivery_problem",
    "event_link",
    "find_leaks",
    "plant",
    "run_probe",
    "send_test_events",
]

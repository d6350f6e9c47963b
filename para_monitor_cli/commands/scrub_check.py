"""``para-monitor scrub-check``: prove that nothing sensitive leaves the backend.

Samples (the built-in corpus by default, or the user's event files) go through a scrubber: ours,
or the user's own ``before_send`` imported as ``module:function`` from the working directory.
Each value that would still leak is reported by JSON path, kind and rule; harmless values that
did not survive are counted. ``through_sdk`` runs the samples through a real sentry-sdk client
(and a FastAPI request carrying secrets), so what is checked is what would really be sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from para_monitor_cli.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from para_monitor_cli.runtime.hooks import load_hook
from para_monitor_cli.scrub import Scrubber, ScrubConfig
from para_monitor_cli.scrub.checker import (
    CheckReport,
    Hook,
    Sample,
    SampleError,
    check,
    direct_runner,
    load_corpus,
    load_samples,
)


def scrub_check(
    samples: Sequence[Path] = (),
    *,
    hook: str | None = None,
    through_sdk: bool = False,
    sensitive_fields: Sequence[str] = (),
    safe_fields: Sequence[str] = (),
    config: Path | None = None,
    cwd: Path | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> CheckReport:
    """Run the check and return its report (``exit_code`` tells the verdict)."""
    from para_monitor_cli.spec import scrubbing_fields

    if config is not None:
        sensitive, safe = scrubbing_fields(config, sensitive_fields, safe_fields, on_warning)
    else:
        sensitive, safe = tuple(sensitive_fields), tuple(safe_fields)
    try:
        if samples:
            items: list[Sample] = load_samples(samples)
        else:
            items, corpus_config = load_corpus()
            sensitive = tuple(dict.fromkeys([*corpus_config.sensitive_fields, *sensitive]))
    except SampleError as exc:
        raise UsageError(str(exc)) from None
    user_hook: Hook | None = load_hook(hook, cwd=cwd) if hook else None
    config_ = ScrubConfig(sensitive, safe)
    detector = Scrubber(config_)
    label = hook if hook else "para-monitor (filter_sensitive_data)"
    if through_sdk:
        from para_monitor_cli.probe.sdk_pipeline import fastapi_sample, pipeline_runner, sdk_client

        with sdk_client(user_hook, sensitive, safe) as transport:
            scenario = fastapi_sample(transport)
            if scenario is None and on_warning is not None:
                on_warning("fastapi is not installed: the FastAPI request scenario was skipped")
            extra = [scenario] if scenario is not None else []
            return check(
                [*items, *extra],
                pipeline_runner(transport),
                detector=detector,
                scrubber=label,
                mode="sdk",
            )
    engine = Scrubber(config_)

    def ours(event: dict[str, object], hint: dict[str, object]) -> object:
        return engine.event(event)

    return check(
        items,
        direct_runner(user_hook if user_hook is not None else ours),
        detector=detector,
        scrubber=label,
    )


def exit_code(report: CheckReport) -> int:
    """1 when a value leaks or the hook raised on or dropped an event (``CheckReport.ok``)."""
    return EXIT_OK if report.ok else EXIT_FINDINGS

"""``para-monitor validate [FILE]``: check alert_rules.yaml offline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from para_monitor_cli.errors import EXIT_OK, EXIT_USAGE, SpecProblem


@dataclass(frozen=True)
class ValidateResult:
    """What ``validate`` found; ``counts`` is filled only for a valid file."""

    file: str
    problems: tuple[SpecProblem, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[SpecProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[SpecProblem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.valid else EXIT_USAGE


def validate(path: Path) -> ValidateResult:
    """Check ``path``: YAML, model, Sentry's server-side rules and the lints."""
    from para_monitor_cli.spec import check_spec

    spec, problems = check_spec(path)
    counts: dict[str, int] = {}
    if spec is not None:
        counts = {
            "targets": len(spec.targets),
            "monitors": len(spec.monitors),
            "cron monitors": len(spec.crons),
            "uptime checks": len(spec.uptime),
            "alerts": len(spec.alerts),
            "dashboards": len(spec.dashboards),
            "widgets": sum(len(d.widgets) for d in spec.dashboards),
        }
    return ValidateResult(file=str(path), problems=tuple(problems), counts=counts)

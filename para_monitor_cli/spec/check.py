"""Check a spec file: YAML, model, then Sentry's rules and the lints; every problem at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from para_monitor_cli.errors import SpecError, SpecProblem
from para_monitor_cli.spec.loader import Marks, format_path, read_document, validate_document
from para_monitor_cli.spec.model import Spec
from para_monitor_cli.spec.rules import run_rules


def _sort_key(problem: SpecProblem) -> tuple[int, int, str]:
    return (problem.line or 0, problem.column or 0, problem.message)


def check_text(text: str, file: str = "alert_rules.yaml") -> tuple[Spec | None, list[SpecProblem]]:
    """Check YAML text. Returns the spec (None when it has errors) and every problem found.

    Problems carry ``severity`` ``"error"`` or ``"warning"``; a spec is returned whenever no
    problem is an error, warnings or not.
    """
    data, marks, problems = read_document(text, file)
    if problems:
        return None, sorted(problems, key=_sort_key)
    spec, problems = validate_document(data, marks, file)
    if spec is None:
        return None, sorted(problems, key=_sort_key)
    found = [
        _locate(f.path, f.message, f.rule, f.severity, marks, file) for f in run_rules(spec, data)
    ]
    found.sort(key=_sort_key)
    if any(p.severity == "error" for p in found):
        return None, found
    return spec, found


def _locate(
    path: tuple[str | int, ...], message: str, rule: str, severity: str, marks: Marks, file: str
) -> SpecProblem:
    line, column = marks.locate(path)
    return SpecProblem(file, line, column, format_path(path), f"{message} [{rule}]", severity)


def check_spec(path: str | Path) -> tuple[Spec | None, list[SpecProblem]]:
    """Check a file: ``(spec or None, problems)``; an unreadable file is one problem."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None, [SpecProblem(name, None, None, "", "file not found")]
    except OSError as exc:
        return None, [SpecProblem(name, None, None, "", f"cannot read the file ({exc.strerror})")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            SpecProblem(name, None, None, "", f"not UTF-8 text (byte {exc.start} is invalid)")
        ]
    return check_text(text, name)


def load_spec(path: str | Path) -> Spec:
    """The spec in ``path``; raises :class:`SpecError` (with every problem) when it is invalid."""
    spec, problems = check_spec(path)
    if spec is None:
        raise SpecError(problems)
    return spec


def scrubbing_fields(
    path: Path,
    extra_sensitive: Sequence[str] = (),
    extra_safe: Sequence[str] = (),
    on_warning: Callable[[str], None] | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sensitive and safe field names the scrubber is configured with: the spec file's
    ``scrubbing`` section (when the file exists) followed by the extra names, without
    repeats. An invalid file is reported through ``on_warning`` and ignored here: ``validate``
    is the command that judges it."""
    sensitive: Sequence[str] = ()
    safe: Sequence[str] = ()
    if path.is_file():
        try:
            spec = load_spec(path)
        except SpecError as exc:
            if on_warning is not None:
                on_warning(f"{path}: not used for the scrubbing fields ({exc.message})")
        else:
            sensitive, safe = spec.scrubbing.sensitive_fields, spec.scrubbing.safe_fields
    return (
        tuple(dict.fromkeys([*sensitive, *extra_sensitive])),
        tuple(dict.fromkeys([*safe, *extra_safe])),
    )

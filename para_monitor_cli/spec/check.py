"""Check a spec file: YAML, model, then Sentry's rules and the lints; every problem at once."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from para_monitor_cli.errors import SpecError, SpecProblem
from para_monitor_cli.spec.loader import (
    Marks,
    clip_values,
    format_path,
    read_document,
    validate_document,
)
from para_monitor_cli.spec.model import Spec
from para_monitor_cli.spec.rules import run_rules


def _sort_key(problem: SpecProblem) -> tuple[int, int, str]:
    return (problem.line or 0, problem.column or 0, problem.message)


@dataclass(frozen=True)
class SpecSource:
    """Where each part of a loaded spec was written: problems found later (plan's pre-flight)
    name the file line as ``validate`` does."""

    file: str
    marks: Marks = field(default_factory=Marks)

    def problem(
        self, path: tuple[str | int, ...], message: str, severity: str = "error"
    ) -> SpecProblem:
        line, column = self.marks.locate(path)
        return SpecProblem(self.file, line, column, format_path(path), message, severity)


def _check(text: str, file: str) -> tuple[Spec | None, list[SpecProblem], Marks]:
    data, marks, problems = read_document(text, file)
    if problems:
        return None, sorted(problems, key=_sort_key), marks
    spec, problems = validate_document(data, marks, file)
    if spec is None:
        return None, sorted(problems, key=_sort_key), marks
    found = [
        _locate(f.path, f.message, f.rule, f.severity, marks, file) for f in run_rules(spec, data)
    ]
    found.sort(key=_sort_key)
    if any(p.severity == "error" for p in found):
        return None, found, marks
    return spec, found, marks


def check_text(text: str, file: str = "alert_rules.yaml") -> tuple[Spec | None, list[SpecProblem]]:
    """Check YAML text. Returns the spec (None when it has errors) and every problem found.

    Problems carry ``severity`` ``"error"`` or ``"warning"``; a spec is returned whenever no
    problem is an error, warnings or not.
    """
    spec, problems, _marks = _check(text, file)
    return spec, problems


def _locate(
    path: tuple[str | int, ...], message: str, rule: str, severity: str, marks: Marks, file: str
) -> SpecProblem:
    line, column = marks.locate(path)
    text = clip_values(f"{message} [{rule}]")
    return SpecProblem(file, line, column, format_path(path), text, severity)


#: The largest spec file read (bytes): the repo's own is about 10 kB; checked before parsing.
MAX_FILE_BYTES = 1024 * 1024


def _size(count: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("kB", 1024)):
        if count >= size:
            return f"{count / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def read_spec_bytes(path: str | Path) -> tuple[bytes | None, SpecProblem | None]:
    """The bytes of a spec file, or the one problem that stops it being read: missing, not a
    regular file (a directory, ``/dev/zero``, a pipe), larger than :data:`MAX_FILE_BYTES`
    (said before anything is parsed), or unreadable."""
    name = str(path)

    def problem(message: str) -> tuple[None, SpecProblem]:
        return None, SpecProblem(name, None, None, "", message)

    try:
        info = os.stat(path)
    except FileNotFoundError:
        return problem("file not found")
    except OSError as exc:
        return problem(f"cannot read the file ({exc.strerror or type(exc).__name__})")
    if stat.S_ISDIR(info.st_mode):
        return problem("is a directory: give the spec file (alert_rules.yaml)")
    if not stat.S_ISREG(info.st_mode):
        return problem("is not a regular file (a device, pipe or socket): give a YAML file")
    limit = f"the limit is {_size(MAX_FILE_BYTES)}"
    if info.st_size > MAX_FILE_BYTES:
        return problem(f"{Path(name).name} is {_size(info.st_size)}; {limit}")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat
    except OSError as exc:
        return problem(f"cannot read the file ({exc.strerror or type(exc).__name__})")
    if len(raw) > MAX_FILE_BYTES:
        return problem(f"{Path(name).name} is larger than {_size(MAX_FILE_BYTES)}; {limit}")
    return raw, None


def _read(path: str | Path) -> tuple[str | None, list[SpecProblem]]:
    name = str(path)
    raw, unread = read_spec_bytes(path)
    if raw is None:
        assert unread is not None
        return None, [unread]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [
            SpecProblem(name, None, None, "", f"not UTF-8 text (byte {exc.start} is invalid)")
        ]


def check_spec(path: str | Path) -> tuple[Spec | None, list[SpecProblem]]:
    """Check a file: ``(spec or None, problems)``; an unreadable file is one problem."""
    text, problems = _read(path)
    if text is None:
        return None, problems
    return check_text(text, str(path))


def load_spec(path: str | Path) -> Spec:
    """The spec in ``path``; raises :class:`SpecError` (with every problem) when it is invalid."""
    return load_spec_source(path)[0]


def load_spec_source(path: str | Path) -> tuple[Spec, SpecSource]:
    """The spec in ``path`` and where each of its parts was written; raises :class:`SpecError`
    when it is invalid."""
    text, problems = _read(path)
    if text is None:
        raise SpecError(problems)
    spec, problems, marks = _check(text, str(path))
    if spec is None:
        raise SpecError(problems)
    return spec, SpecSource(str(path), marks)


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

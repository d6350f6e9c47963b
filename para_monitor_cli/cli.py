"""The Typer app: parse flags, build settings, call one command, render, map errors to exit codes.

Heavy imports (sentry_sdk, httpx, pydantic, the sandbox) happen inside the command that needs
them, so ``para-monitor --help`` starts fast.
"""

import contextlib
import copy
import enum
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from para_monitor_cli import __version__
from para_monitor_cli.waits import CANCEL, seconds_option, set_sink

if TYPE_CHECKING:  # Rich is imported when a command runs, not for --help
    from para_monitor_cli.render import Output
    from para_monitor_cli.settings import Settings

DEFAULT_CONFIG = "alert_rules.yaml"  # settings.DEFAULT_CONFIG (not imported for --help)


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"


# This module does not use ``from __future__ import annotations``: Typer evaluates string
# annotations of every command (about 300 evals, 20 ms of each start-up); the few names
# imported only for type checking are quoted instead.
@dataclass
class State:
    settings: "Settings"
    output: "Output"


# Global options: declared once, on the root callback (``main_options``). Every visible,
# non-eager one is also accepted after any sub-command (``para-monitor plan --org acme``), as
# gh, terraform and sentry-cli take them; when an option is given in both places, the later one
# (after the command) wins. A sub-command's help lists them once, under "Global options".
GLOBAL_MARK = "para_monitor_global"  # attribute set on a sub-command's copy of a global option
AFTER_COMMAND = "para_monitor.after_command"  # ctx.meta key: global values given after it

# Common names and near-misses of the commands, for "No such command" suggestions. Edit
# distance alone finds ``schema`` for ``chek``; the first word of each command name is
# compared too, and these synonyms are looked up first.
COMMAND_SYNONYMS = {
    "apply": "apply-alerts",
    "alerts": "apply-alerts",
    "check": "check-setup",
    "checklist": "check-setup",
    "setup": "check-setup",
    "test": "test-event",
    "send": "test-event",
    "event": "test-event",
    "scrub": "scrub-check",
    "lint": "validate",
    "diff": "plan",
    "pull": "export",
    "import": "export",
    "server": "sandbox",
    "serve": "sandbox",
    "settings": "config",
    "info": "config",
}


def suggest_command(name: str, commands: list[str]) -> str | None:
    """The command a user most likely meant by ``name``: a known synonym, else the closest
    command name or first word of one (``chek`` -> check-setup), else None."""
    import difflib

    wanted = name.lower()
    synonym = COMMAND_SYNONYMS.get(wanted)
    if synonym in commands:
        return synonym
    keys: dict[str, str] = {}
    for command in commands:
        keys.setdefault(command, command)
        keys.setdefault(command.split("-", 1)[0], command)
    for word, command in COMMAND_SYNONYMS.items():
        if command in commands:
            keys.setdefault(word, command)
    match = difflib.get_close_matches(wanted, list(keys), n=1, cutoff=0.6)
    return keys[match[0]] if match else None


def _remember_after_command(check: Callable[..., Any] | None) -> Callable[..., Any]:
    """Callback of a global option's copy on a sub-command: check the value as the option
    itself does, and keep it when it was given on the command line (a default must not
    override the value given before the command)."""

    def remember(ctx: Any, param: Any, value: Any) -> Any:
        if check is not None:
            value = check(ctx, param, value)
        source = ctx.get_parameter_source(param.name)
        if source is not None and source.name == "COMMANDLINE":
            ctx.meta.setdefault(AFTER_COMMAND, {})[param.name] = value
        return value

    return remember


class _Command(typer.core.TyperCommand):
    """A sub-command whose help lists its own options, then the global ones (once)."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            plain_coercion(option)
        return option

    # ctx and formatter are Typer's bundled click classes, not importable from typer
    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {
            "Arguments": [],
            "Options": [],
            "Global options (also accepted before the command)": [],
        }
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":  # its metavar, without Typer's "<path>"
                sections["Arguments"].append((param.metavar or param.name.upper(), record[1]))
            elif getattr(param, GLOBAL_MARK, False):
                sections["Global options (also accepted before the command)"].append(record)
            else:
                sections["Options"].append(record)
        for title, records in sections.items():
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


class _Group(typer.core.TyperGroup):
    """The top-level group: gives every sub-command a copy of each global option, and suggests
    the command meant by an unknown name."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        shared = [
            p
            for p in self.params
            if p.param_type_name == "option" and not getattr(p, "hidden", False) and not p.is_eager
        ]
        for name, command in self.commands.items():
            if type(command) is typer.core.TyperCommand:  # declared with a plain @app.command
                command.__class__ = _Command  # (adds no state: only the help layout)
            if not isinstance(command, _Command):
                raise TypeError(f"command {name!r}: declare it with @command(...)")
            taken = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
            for param in shared:
                clash = taken & {*param.opts, *param.secondary_opts}
                if clash:  # one name, one meaning: a command may not redefine a global option
                    raise TypeError(f"command {name!r} redefines global option {sorted(clash)}")
                copy_ = copy.copy(param)
                copy_.expose_value = False
                copy_.callback = _remember_after_command(param.callback)
                setattr(copy_, GLOBAL_MARK, True)
                command.params.append(copy_)
        for param in [*self.params, *(p for c in self.commands.values() for p in c.params)]:
            plain_coercion(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            plain_coercion(option)
        return option

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            hint = suggest_command(name, list(self.commands))
            ctx.fail(f"No such command {name!r}." + (f" Did you mean {hint!r}?" if hint else ""))
        return super().resolve_command(ctx, args)


_PLAIN_TYPES: dict[Any, Callable[[str], Any]] = {str: str, Path: Path, float: float, int: int}
_NUMBER_WORDS = {float: "a number", int: "a whole number"}


def plain_coercion(param: Any) -> None:
    """Coerce ``param``'s values with the standard library when its type is str, Path, int or
    float (or a list of one of them) with no extra constraint.

    Typer 0.29 coerces every value, even an option left unset, through a pydantic
    ``TypeAdapter``: the first option processed imports pydantic (~90 ms, most of a
    sub-command's start-up). Other parameters, and Typers without ``type_descriptor``
    (older ones coerce with click's types), keep Typer's own processing.
    """
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or param.required or "process_value" in vars(param):
        return
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    many = getattr(annotation, "__origin__", None) is list
    leaf = annotation.__args__[0] if many else annotation
    convert = _PLAIN_TYPES.get(leaf)
    constrained = (
        info.parser is not None
        or getattr(info, "min", None) is not None
        or getattr(info, "max", None) is not None
        or getattr(info, "exists", False)
        or getattr(info, "resolve_path", False)
        or getattr(info, "writable", False)
        or not getattr(info, "file_okay", True)
        or not getattr(info, "dir_okay", True)
    )
    original = param.process_value
    if leaf is bool and not many:  # an unset flag may come as None: Typer would coerce it

        def process_flag(ctx: Any, value: Any) -> Any:
            if value is not None and not isinstance(value, bool):
                return original(ctx, value)
            return param.callback(ctx, param, value) if param.callback is not None else value

        param.process_value = process_flag
        return
    if convert is None or constrained or descriptor.file_annotation is not None:
        return

    def one(ctx: Any, value: Any) -> Any:
        if isinstance(value, leaf):
            return value
        try:
            return convert(value)
        except ValueError:
            word = _NUMBER_WORDS.get(leaf, leaf.__name__)
            raise typer.BadParameter(f"{value!r} is not {word}", ctx=ctx, param=param) from None

    def process_value(ctx: Any, value: Any) -> Any:
        if value is None:
            value = () if many or param.nargs == -1 else None
        elif many or param.nargs == -1:
            value = tuple(one(ctx, item) for item in value)
        else:
            value = one(ctx, value)
        if param.callback is not None:
            value = param.callback(ctx, param, value)
        return value

    param.process_value = process_value


def global_options(ctx: typer.Context) -> dict[str, Any]:
    """Every global option's value: given before the command (or its default), replaced by
    the value given after the command when there is one (the later one wins)."""
    values = dict(ctx.find_root().params)
    values.update(ctx.meta.get(AFTER_COMMAND, {}))
    return values


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the global option ``name`` was given on the command line (either place)."""
    source = ctx.find_root().get_parameter_source(name)
    given_before = source is not None and source.name == "COMMANDLINE"
    return given_before or name in ctx.meta.get(AFTER_COMMAND, {})


def _output_format(value: str | None) -> str | None:
    """``--output``, in any case (``-o JSON``)."""
    if value is None:
        return None
    if value.lower() not in {f.value for f in OutputFormat}:
        raise typer.BadParameter(f"{value!r} is not an output format: use text or json")
    return value.lower()


def _choice(*values: str) -> Callable[[str], str]:
    """An option callback accepting one of ``values`` in any case, given back in lower case."""

    def check(value: str) -> str:
        if value.lower() not in values:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(values)}")
        return value.lower()

    return check


# How long test-event and check-setup wait for the test events to show up in Sentry's API.
# One default for both: 60 s is far above Sentry's usual ingest-to-query delay (seconds), and a
# CI gate on a broken set-up fails within a minute (check-setup waited 60 s, test-event 90 s).
ARRIVAL_WAIT = 60.0

# options that several commands share, defined once
WaitOption = typer.Option(
    "--wait",
    metavar="SECONDS",
    help="Seconds to wait for the test events to arrive in Sentry.",
    show_default=True,
)
SensitiveFields = Annotated[
    list[str] | None,
    typer.Option(
        metavar="NAME", help="Extra field name to scrub (repeatable, or comma-separated)."
    ),
]
SafeFields = Annotated[
    list[str] | None,
    typer.Option(
        metavar="NAME", help="Field name never to scrub (repeatable, or comma-separated)."
    ),
]


app = typer.Typer(
    cls=_Group,
    name="para-monitor",
    help="Keep a Python backend's Sentry set-up correct, private and verified in CI.\n\n"
    "Global options go before or after the command (when given twice, the later one wins).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: Rich's help renderer alone costs ~80 ms of start-up
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def guarded(output: "Output", debug: bool, fn: Callable[[], int | None]) -> int:
    """The one error handler: known errors print one line, bugs give 4, Ctrl-C gives 130."""
    from para_monitor_cli.errors import (
        EXIT_BUG,
        EXIT_INTERRUPTED,
        ParaMonitorError,
        PreflightError,
        SpecError,
    )
    from para_monitor_cli.redaction import redact

    try:
        code = fn() or 0
    except ParaMonitorError as exc:
        problems: list[str] = []
        if isinstance(exc, SpecError | PreflightError):  # every problem, with its file line
            errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
            problems = [str(problem) for problem in errors]
            for problem in problems:
                output.error(problem)
        else:
            output.error(exc.message)
        if exc.hint:
            output.note(f"hint: {exc.hint}")
        code = exc.exit_code
        kind, message, hint = type(exc).__name__, redact(exc.message), exc.hint
    except KeyboardInterrupt:
        CANCEL.set()  # every wait on every thread stops within a fraction of a second
        output.error("interrupted")
        code, kind, message, hint, problems = (
            EXIT_INTERRUPTED,
            "Interrupted",
            "interrupted",
            None,
            [],
        )
    except Exception as exc:
        message = f"unexpected error ({type(exc).__name__}): this is a bug in para-monitor"
        output.error(message + ("" if debug else "; rerun with --debug for the traceback"))
        if debug:
            import traceback

            output.note(redact(traceback.format_exc()))
        code, kind, hint, problems = EXIT_BUG, "Bug", None, []
    else:
        return code
    output.emit_error(kind, message, code, hint=hint, problems=problems)
    return code


def handle(output: "Output", debug: bool, fn: Callable[[], int | None]) -> None:
    """Run ``fn`` through :func:`guarded` and exit with its code."""
    raise typer.Exit(guarded(output, debug, fn))


def run(ctx: typer.Context, fn: Callable[[State], int | None]) -> None:
    """Run a command body with the state the global options give (settings are resolved here,
    when a command runs, not in the root callback: ``COMMAND --help`` needs none of it)."""
    from para_monitor_cli.render import Output

    options = global_options(ctx)
    fmt = options.get("output") or OutputFormat.text
    debug = bool(options.get("debug"))
    output = Output(str(fmt))
    debug_logging(debug)
    CANCEL.clear()  # a new command (an in-process runner may run several)
    ProgressLine.current = ProgressLine(output)
    set_sink(ProgressLine.current)

    def body() -> int | None:
        return fn(State(settings=build_settings(ctx, options), output=output))

    handle(output, debug, body)


SETTING_FLAGS = ("org", "project", "url", "auth_token", "dsn")


def build_settings(ctx: typer.Context, options: dict[str, Any]) -> "Settings":
    """Resolve the settings from the global options (flags > environment > files)."""
    from para_monitor_cli.settings import resolve

    config: Path | None = options.get("config")
    if config is not None and _given(ctx, "config") and not config.is_file():
        from para_monitor_cli.errors import UsageError

        raise UsageError(f"--config {config}: no such file")
    settings = resolve(
        {name: options.get(name) for name in SETTING_FLAGS},
        config=config,
        output=str(options.get("output") or OutputFormat.text),
        debug=bool(options.get("debug")),
    )
    timeout = options.get("timeout")
    if timeout is not None:
        settings = replace(settings, timeout=seconds_option(timeout, "--timeout"))
    return settings


DEBUG_HANDLER = "para-monitor --debug"  # the name of our handler on the package's logger


def debug_logging(enabled: bool) -> None:
    """Show the package's log records (HTTP traces of ``para_monitor_cli.api``) on stderr when
    ``enabled``; otherwise take our handler away again. Idempotent. (``logging`` is imported
    only when needed: it is not part of ``--help``'s start-up.)"""
    if not enabled and "logging" not in sys.modules:
        return  # no logger can hold our handler yet
    import logging

    from para_monitor_cli.redaction import RedactingFilter

    class DebugHandler(logging.Handler):
        """Each record as one line on the ``sys.stderr`` of the moment (test runners swap it
        per invocation), after the redacting filter."""

        def emit(self, record: logging.LogRecord) -> None:
            try:
                sys.stderr.write(self.format(record) + "\n")
                sys.stderr.flush()
            except Exception:
                self.handleError(record)

    logger = logging.getLogger("para_monitor_cli")
    for handler in [h for h in logger.handlers if h.name == DEBUG_HANDLER]:
        logger.removeHandler(handler)
    if not enabled:
        logger.setLevel(logging.NOTSET)
        return
    handler = DebugHandler(logging.DEBUG)
    handler.set_name(DEBUG_HANDLER)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("debug: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"para-monitor {__version__}")
        raise typer.Exit(0)


def command(name: str, **attrs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@app.command`` for a sub-command that also takes the global options."""
    return app.command(name, cls=_Command, **attrs)


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    org: Annotated[
        str | None, typer.Option(metavar="SLUG", help="Organization slug (env SENTRY_ORG).")
    ] = None,
    project: Annotated[
        str | None, typer.Option(metavar="SLUG", help="Project slug (env SENTRY_PROJECT).")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            metavar="URL", help="Sentry base URL (env SENTRY_URL, default https://sentry.io/)."
        ),
    ] = None,
    auth_token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN", help="API auth token (env SENTRY_AUTH_TOKEN). Never printed."
        ),
    ] = None,
    dsn: Annotated[
        str | None, typer.Option(metavar="DSN", help="Client DSN (env SENTRY_DSN).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(metavar="PATH", help=f"The monitoring spec file (default: {DEFAULT_CONFIG})."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="text|json",
            callback=_output_format,
            help="Output format, in any case (default: text).",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and HTTP traces (secrets redacted).")
    ] = False,
    show_config: Annotated[
        bool, typer.Option("--show-config", hidden=True, help="The same as the config command.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Seconds one Sentry API request may take, retries included (connect at most "
            "10 s of it); a command's API work ends within 10 times this. Default 30.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Keep a Python backend's Sentry set-up correct, private and verified in CI.

    Global options go before or after the command (the later one wins). Settings resolve
    as sentry-cli does: flag, then environment, then .env (and backend/.env), then
    .sentryclirc; the organization and project then fall back to the spec file's
    organization: and project:.
    """
    # Nothing is imported or resolved here: ``para-monitor COMMAND --help`` runs this first.
    if show_config:  # hidden alias of ``para-monitor config``
        config_command(ctx)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


@command("config", short_help="Show each setting and where it came from (secrets hidden).")
def config_command(ctx: typer.Context) -> None:
    """Show every setting, its value (secrets redacted) and where it came from."""

    def body(state: State) -> int:
        from para_monitor_cli.render import show_settings

        show_settings(state.output, state.settings.shown())
        return 0

    run(ctx, body)


@command(
    "test-event",
    short_help="Send test events via init_sentry; prove they arrive scrubbed.",
)
def send_test_event_command(
    ctx: typer.Context,
    transaction: Annotated[
        bool, typer.Option("--transaction", help="Also send a transaction with a span.")
    ] = False,
    wait: Annotated[float, WaitOption] = ARRIVAL_WAIT,
    send_timeout: Annotated[
        float,
        typer.Option(
            metavar="SECONDS", help="Seconds to wait for the receiver's answer to each envelope."
        ),
    ] = 10.0,
    compression: Annotated[
        str,
        typer.Option(
            metavar="auto|gzip|br|none",
            callback=_choice("auto", "gzip", "br", "none"),
            help="Envelope compression: auto (the SDK's choice, as the backend sends), gzip "
            "(for receivers that cannot decode brotli), br or none.",
        ),
    ] = "auto",
    verify: Annotated[
        bool,
        typer.Option(
            "--verify/--no-verify",
            help="Confirm arrival and scrubbing through the API (needs a token).",
        ),
    ] = True,
    hook: Annotated[
        str | None,
        typer.Option(
            metavar="MODULE:FUNCTION",
            help="The application's own before_send. It runs after para-monitor's scrubbing "
            "engine, as init_sentry chains them, so a leak of the hook alone does not show: "
            "add --hook-only to send through the hooks alone.",
        ),
    ] = None,
    transaction_hook: Annotated[
        str | None,
        typer.Option(metavar="MODULE:FUNCTION", help="The application's before_send_transaction."),
    ] = None,
    breadcrumb_hook: Annotated[
        str | None,
        typer.Option(metavar="MODULE:FUNCTION", help="The application's before_breadcrumb."),
    ] = None,
    hook_only: Annotated[
        bool,
        typer.Option(
            "--hook-only",
            help="Leave para-monitor's scrubbing engine out (sentry-sdk's own scrubber still "
            "runs): prove that the given hooks alone scrub the events, as in a backend that "
            "does not use init_sentry's scrubbing.",
        ),
    ] = False,
    sensitive_field: SensitiveFields = None,
    safe_field: SafeFields = None,
    check_in: Annotated[
        str | None,
        typer.Option(
            "--check-in",
            metavar="JOB",
            help="Instead of events, send one run's check-ins (in_progress, then ok) for the "
            "cron monitor JOB (its slug or name under crons:, with its schedule), as "
            "monitor_job does, and confirm Sentry shows it ok.",
        ),
    ] = None,
) -> None:
    """Send a test error and message (and a transaction) through the backend's own SDK set-up,
    then confirm through the API that they arrived with no planted secret.

    Exit 0 when every event was accepted (and, with a token, arrived clean); 1 when a planted
    secret leaked or an event was dropped or not found; 2 on bad flags or settings (no DSN, a
    hook that cannot be imported); 3 when delivery failed or arrival could not be verified
    (token refused, Sentry failing); 4 on a bug in para-monitor.
    """

    def body(state: State) -> int:
        from para_monitor_cli.commands.fields import split_fields
        from para_monitor_cli.commands.test_event import (
            TestEventOptions,
            run_check_in,
            run_test_event,
        )
        from para_monitor_cli.render import show_check_in, show_test_event

        options = TestEventOptions(
            transaction=transaction,
            timeout=wait,
            send_timeout=send_timeout,
            compression=compression,
            verify=verify,
            hook=hook,
            transaction_hook=transaction_hook,
            breadcrumb_hook=breadcrumb_hook,
            hook_only=hook_only,
            sensitive_fields=split_fields(sensitive_field or []),
            safe_fields=split_fields(safe_field or []),
        )
        if check_in is not None:
            sent = run_check_in(state.settings, check_in, options, on_warning=state.output.warning)
            show_check_in(state.output, sent)
            if sent.delivery_error is not None:
                raise sent.delivery_error
            if sent.operational_error is not None:  # sent, but what Sentry holds is unknown
                raise sent.operational_error
            return sent.exit_code()
        result = run_test_event(state.settings, options, on_warning=state.output.warning)
        show_test_event(state.output, result)
        if result.interrupted:  # what was sent and found is shown; now stop as interrupted
            raise KeyboardInterrupt
        if result.operational_error is not None:  # delivery failed, or arrival unverifiable
            raise result.operational_error
        return result.exit_code()

    run(ctx, body)


@command("validate", short_help="Check alert_rules.yaml offline (exit 2 when invalid).")
def validate_command(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE",
            help="The spec to check (default: --config, i.e. alert_rules.yaml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check alert_rules.yaml offline: YAML, schema, Sentry's own rules and lints.

    Exit 0 when valid (warnings are shown), 2 when invalid. Every problem is listed with
    file, line, column and YAML path.
    """

    def body(state: State) -> int:
        from para_monitor_cli.commands.validate import validate
        from para_monitor_cli.render import show_validate

        result = validate(file if file is not None else state.settings.config)
        show_validate(state.output, result)
        return result.exit_code

    run(ctx, body)


@command("schema", short_help="Print the JSON Schema of alert_rules.yaml.")
def schema_command(ctx: typer.Context) -> None:
    """Print the JSON Schema of alert_rules.yaml (for editors with the YAML language server)."""

    def body(state: State) -> int:
        from para_monitor_cli.commands.schema import schema
        from para_monitor_cli.render import show_schema

        show_schema(state.output, schema())
        return 0

    run(ctx, body)


PRUNE_OWNERSHIP = (
    "Ours: monitors and dashboards marked 'managed by para-monitor'; alerts created by the "
    "token's own identity (Sentry's createdBy), so prune with a dedicated internal-integration "
    "token."
)


@command("plan", short_help="Show what apply-alerts would change, field by field.")
def plan_cli(
    ctx: typer.Context,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 1 when there is drift.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also plan deletes of our resources not in the file. " + PRUNE_OWNERSHIP,
        ),
    ] = False,
) -> None:
    """Show what apply-alerts would change: create, update (field by field), delete."""

    def body(state: State) -> int:
        from para_monitor_cli.commands.plan import plan_command
        from para_monitor_cli.render import show_plan

        result = plan_command(state.settings, prune=prune, on_warning=state.output.warning)
        show_plan(state.output, result)
        return 1 if detailed_exitcode and result.has_drift else 0

    run(ctx, body)


@command("apply-alerts", short_help="Create or update the monitors, alerts and dashboards.")
def apply_alerts_cli(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and change nothing.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune", help="Delete our resources that are not in the file. " + PRUNE_OWNERSHIP
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
) -> None:
    """Apply alert_rules.yaml to Sentry: monitors, alerts and dashboards, idempotently."""

    def body(state: State) -> int:
        import sys

        from para_monitor_cli.commands.apply import apply_command
        from para_monitor_cli.errors import ApplyError, UsageError
        from para_monitor_cli.render import (
            show_apply,
            show_apply_error,
            show_apply_progress,
            show_plan,
        )

        out = state.output

        def confirm(_planned: object) -> bool:
            if yes:
                return True
            if not sys.stdin.isatty():
                raise UsageError("refusing to apply without confirmation: pass --yes")
            return typer.confirm("Apply these changes?", default=False, err=True)

        try:
            outcome = apply_command(
                state.settings,
                prune=prune,
                dry_run=dry_run,
                confirm=confirm,
                on_plan=None if out.json else (lambda planned: show_plan(out, planned)),
                on_progress=None if out.json else (lambda c, s: show_apply_progress(out, c, s)),
                on_warning=out.warning,
            )
        except ApplyError as exc:
            show_apply_error(out, exc.progress)
            raise
        show_apply(out, outcome)
        return 0

    run(ctx, body)


@command("export", short_help="Write what exists in Sentry as an alert_rules.yaml.")
def export_cli(
    ctx: typer.Context,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="PATH",
            help="Write the YAML to this new file instead of stdout (an existing file is "
            "kept unless --force).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --out file if it exists.")
    ] = False,
    legacy: Annotated[
        bool,
        typer.Option(
            "--legacy/--no-legacy", help="Also translate legacy metric and issue alert rules."
        ),
    ] = True,
) -> None:
    """Write what exists in Sentry as an alert_rules.yaml (validated before it is written).

    To migrate, export to a new file, review it and merge it into your alert_rules.yaml.
    """

    def body(state: State) -> int:
        from para_monitor_cli.commands.export import export_command
        from para_monitor_cli.render import show_export

        result = export_command(
            state.settings,
            output=out_file,
            legacy=legacy,
            on_warning=state.output.warning,
            force=force,
        )
        show_export(state.output, result)
        return 0

    run(ctx, body)


@command("check-setup", short_help="Run the Monitoring Checklist as a CI gate.")
def check_setup_cli(
    ctx: typer.Context,
    only: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME", help="Run only these checks (repeatable, or comma-separated)."
        ),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME", help="Do not run these checks (repeatable, or comma-separated)."
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Run only what needs no network.")
    ] = False,
    samples: Annotated[
        list[Path] | None,
        typer.Option(
            metavar="PATH",
            help="Extra event files or folders for the scrubbing check (repeatable).",
        ),
    ] = None,
    hook: Annotated[
        str | None,
        typer.Option(metavar="MODULE:FUNCTION", help="The backend's own before_send to verify."),
    ] = None,
    junit: Annotated[
        Path | None,
        typer.Option("--junit", metavar="PATH", help="Also write the results as JUnit XML here."),
    ] = None,
    wait: Annotated[float, WaitOption] = ARRIVAL_WAIT,
    arrival_timeout: Annotated[
        float | None,
        typer.Option(metavar="SECONDS", hidden=True, help="Deprecated: use --wait."),
    ] = None,
) -> None:
    """Run the Monitoring Checklist against Sentry: each check passed, failed, warning,
    skipped, or not checked (Sentry could not answer), with its evidence.

    Checks: spec, dsn, environment_release, test_error, scrubbing, server_scrubbing, alerts,
    dashboards, team, notifications, release, legacy_alerts.

    Exit 0 when nothing failed; 1 when a check failed; 2 on bad flags or settings; 3 when a
    check could not be done because Sentry could not answer (unreachable, token refused, 5xx
    or 429 past the retry budget); 4 on a bug.
    """

    def body(state: State) -> int:
        from para_monitor_cli.commands.check_setup import (
            CheckSetupOptions,
            check_junit_path,
            check_names,
            check_options,
            check_setup,
        )
        from para_monitor_cli.commands.fields import split_fields
        from para_monitor_cli.render import (
            ChecklistPrinter,
            open_report_file,
            show_check_report,
            write_junit,
        )

        options = CheckSetupOptions(
            only=split_fields(only or ()),
            skip=split_fields(skip or ()),
            offline=offline,
            samples=tuple(samples or ()),
            hook=hook,
            arrival_timeout=wait if arrival_timeout is None else arrival_timeout,
        )
        if arrival_timeout is not None:
            state.output.warning("--arrival-timeout is deprecated: use --wait")
        check_options(options)
        if junit is not None:
            check_junit_path(junit)
        # opened before the checks run: an unwritable path fails now, not after the work
        junit_file = open_report_file(junit, "--junit") if junit is not None else None
        with contextlib.ExitStack() as closing:
            if junit_file is not None:
                closing.enter_context(junit_file)
            out = state.output
            printer = None if out.json else ChecklistPrinter(out, check_names(options))
            report = check_setup(state.settings, options, on_result=printer)
            show_check_report(out, report, printed=printer is not None)
            if junit_file is not None:
                write_junit(report, junit_file)
            return report.exit_code()

    run(ctx, body)


@command("demo", short_help="Run the whole job on a local sandbox (no account needed).")
def demo_cli(ctx: typer.Context) -> None:
    """See the whole product work in one command, with no Sentry account: start a local
    sandbox, send a test error, apply alert_rules.yaml, and run check-setup against it.

    Exit 0 when every check passed. Nothing from your environment is used or sent anywhere.
    """

    def body(state: State) -> int:
        from para_monitor_cli.commands.check_setup import check_names
        from para_monitor_cli.commands.demo import run_demo
        from para_monitor_cli.render import ChecklistPrinter, demo_narrator, show_demo

        out = state.output
        printer = None if out.json else ChecklistPrinter(out, check_names())
        result = run_demo(state.settings, say=demo_narrator(out), on_result=printer)
        show_demo(out, result)
        return result.exit_code()

    run(ctx, body)


@command("sandbox", short_help="Run a local Sentry-compatible server.")
def sandbox_cli(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option(metavar="PORT", help="Port on 127.0.0.1, 0-65535 (0 picks a free one).")
    ] = 9000,
    data: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Keep state in this directory (created if missing; survives restarts); "
            "memory otherwise.",
        ),
    ] = None,
    seed: Annotated[
        Path | None,
        typer.Option(metavar="PATH", help="Seed file (YAML or JSON) used when the state is empty."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(metavar="TOKEN", hidden=True, help="Deprecated: use --auth-token."),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            metavar="RULE", help="Inject a fault, e.g. 'POST /detectors/:429x3' (repeatable)."
        ),
    ] = None,
) -> None:
    """Run a local Sentry-compatible server (event ingest and the REST API subset
    para-monitor uses) and print its URL, DSN and API token. Runs until Ctrl-C.

    The API token is new at each start, or the one given with --auth-token on the command
    line (never taken from SENTRY_AUTH_TOKEN, which may hold a real token).
    """

    def body(state: State) -> int:
        fixed = global_options(ctx)["auth_token"] if _given(ctx, "auth_token") else None
        if token is not None:
            state.output.warning("sandbox --token is deprecated: use --auth-token")
        from para_monitor_cli.commands.sandbox import run_sandbox_server
        from para_monitor_cli.render import show_sandbox

        return run_sandbox_server(
            port=port,
            data=data,
            seed=seed,
            token=fixed or token,
            faults=tuple(fault or ()),
            on_ready=lambda info: show_sandbox(state.output, info),
        )

    run(ctx, body)


@command("scrub-check", short_help="Prove a scrubber leaks nothing from sample events.")
def scrub_check_cli(
    ctx: typer.Context,
    samples: Annotated[
        list[Path] | None,
        typer.Option(
            "--samples",
            metavar="PATH",
            help="Event files or folders (JSON, JSON lines, envelopes), repeatable. Default: "
            "the built-in corpus of PARA Autopilot events with planted secrets.",
        ),
    ] = None,
    positional: Annotated[
        list[Path] | None,
        typer.Argument(metavar="", hidden=True, help="Deprecated: use --samples."),
    ] = None,
    hook: Annotated[
        str | None,
        typer.Option(
            metavar="MODULE:FUNCTION",
            help="Check your own before_send instead of ours "
            "(imported from the working directory), "
            "e.g. monitoring.sentry_config:filter_sensitive_data.",
        ),
    ] = None,
    through_sdk: Annotated[
        bool,
        typer.Option(
            "--through-sdk",
            help="Run the samples through a real sentry-sdk client (and a FastAPI request "
            "carrying secrets) and check what would really be sent.",
        ),
    ] = False,
    sensitive_field: SensitiveFields = None,
    safe_field: SafeFields = None,
) -> None:
    """Run sample events through a scrubber and report every value that would leak, by JSON
    path, kind and rule (never the value), and every event the scrubber raised on or dropped.

    Extra sensitive and safe fields also come from the `scrubbing:` section of the spec file
    (--config) when it exists.

    Exit 0 when nothing leaks and every event comes out of the scrubber; 1 when a value leaks
    or the hook raises on or drops an event; 2 on bad flags, sample files or hook; 4 on a bug
    in para-monitor.
    """

    def body(state: State) -> int:
        from para_monitor_cli.commands.fields import split_fields
        from para_monitor_cli.commands.scrub_check import exit_code, scrub_check
        from para_monitor_cli.render import show_scrub_check

        if positional:
            state.output.warning("sample paths as arguments are deprecated: use --samples")
        report = scrub_check(
            (*(samples or ()), *(positional or ())),
            hook=hook,
            through_sdk=through_sdk,
            sensitive_fields=split_fields(sensitive_field or ()),
            safe_fields=split_fields(safe_field or ()),
            config=state.settings.config,
            on_warning=state.output.warning,
        )
        show_scrub_check(state.output, report)
        return exit_code(report)

    run(ctx, body)


class ProgressLine:
    """Where retries and waits are shown (:func:`para_monitor_cli.waits.notify`): on a terminal
    a Rich status line that each wait updates in place, otherwise plain stderr lines (a wait
    at its start and then at most every :attr:`PLAIN_EVERY` seconds, for CI logs)."""

    PLAIN_EVERY = 10.0
    current: "ProgressLine | None" = None  # the one main() ends (a status hides the cursor)

    def __init__(self, output: "Output") -> None:
        self.output = output
        self._live: bool | None = None  # asked at the first wait: Rich is not needed before
        self.status: Any = None
        self.last_plain = 0.0
        self.last_what = ""

    @property
    def live(self) -> bool:
        """Whether stderr is a terminal (a status line updated in place)."""
        if self._live is None:
            self._live = self.output.err.is_terminal
        return self._live

    def __call__(self, kind: str, text: str) -> None:
        if kind == "done":
            if self.status is not None:
                self.status.stop()
                self.status = None
            self.last_what = ""
            return
        if kind == "retry":
            self.output.note(text, style="yellow")
            return
        if self.live:
            if self.status is None:
                self.status = self.output.err.status(text)
                self.status.start()
            else:
                self.status.update(text)
            return
        what = text.split(" (", 1)[0]
        now = time.monotonic()
        if what != self.last_what or now - self.last_plain >= self.PLAIN_EVERY:
            self.output.note(text)
            self.last_plain, self.last_what = now, what


class _Interrupt:
    first: float | None = None


def _on_sigint(_signum: int, _frame: Any) -> None:
    """Ctrl-C: tell every wait to stop (:data:`para_monitor_cli.waits.CANCEL`) and raise
    KeyboardInterrupt in the main thread. A second Ctrl-C while the first is reported is
    ignored (the report says what requests in flight did), unless the report itself hangs
    for more than two seconds."""
    CANCEL.set()
    if _Interrupt.first is None:
        _Interrupt.first = time.monotonic()
        raise KeyboardInterrupt
    if time.monotonic() - _Interrupt.first > 2.0:
        os.write(2, b"error: interrupted\n")
        os._exit(130)


def main() -> None:
    """Console-script entry point: exit 130 on Ctrl-C at any moment, without a traceback,
    and without waiting for threads still blocked in a request (their results were printed
    or are reported as unknown).

    The process allocates much while it starts (Typer builds every command; validate builds
    pydantic's models): the young generation is collected every 100 000 allocations instead
    of 700 (as mypy does), and the objects left at exit are frozen, so the interpreter's last
    full collection skips them (the process is ending). A long-running command (the sandbox)
    still collects cycles, only less often.
    """
    import gc

    signal.signal(signal.SIGINT, _on_sigint)
    gc.set_threshold(100_000, 50, 100)
    code: int = 0
    try:
        app(prog_name="para-monitor")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:  # between Typer's parsing and our handler
        CANCEL.set()
    if ProgressLine.current is not None:  # a status line still shown: end it (cursor back)
        with contextlib.suppress(Exception):
            ProgressLine.current("done", "")
    if CANCEL.is_set():
        if code != 130:
            typer.echo("error: interrupted", err=True)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(130)  # worker threads blocked in a request are not waited for
    gc.freeze()
    sys.exit(code)

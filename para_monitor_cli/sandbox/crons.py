"""Cron monitors in the sandbox: the monitors API, check-in ingestion, and a control to miss a run.

Everything here mirrors Sentry's server; each rule names the function it restates:

* routes: ``/organizations/{org}/monitors/`` (list, create), ``.../monitors/{id or slug}/``
  (get, update, delete; also under ``/projects/{org}/{project}/``), and the check-ins lists
  (``.../checkins/``), shaped as the official OpenAPI spec and ``MonitorSerializer`` /
  ``MonitorCheckInSerializer`` (src/sentry/monitors/serializers.py) answer;
* validation: :data:`RULES`, the rule table of ``MonitorValidator`` and ``ConfigValidator``
  (src/sentry/monitors/validators.py, bounds from src/sentry/monitors/constants.py);
* each monitor gets a detector of type ``monitor_check_in_failure`` (``ensure_cron_detector`` in
  src/sentry/monitors/utils.py) so workflows connect to it by ``detectorIds``;
* ingestion of envelope ``check_in`` items: Relay's ``process_check_in``
  (relay-monitors/src/lib.rs) then the consumer's ``_ensure_monitor_with_config`` and
  ``_process_checkin`` (src/sentry/monitors/consumers/monitor_consumer.py);
* ``POST /_sandbox/organizations/{org}/monitors/{monitor}/missed/``: what the clock task
  ``check_missed`` (src/sentry/monitors/clock_tasks/check_missed.py) does when a run is late,
  on demand, so tests need not wait for a schedule;
* incidents: ``mark_failed`` / ``mark_ok`` (src/sentry/monitors/logic/): failure_issue_threshold
  failures in a row open one (``activeIncident``), recovery_threshold oks close it.

The sandbox imports nothing from the rest of para_monitor_cli: schedules are parsed and stepped
here, independently of the client's own parser.
"""

from __future__ import annotations

import calendar
import re
import uuid
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model
from para_monitor_cli.sandbox.detectors import TypeValidator, register_type, show_actor
from para_monitor_cli.sandbox.ingest import loads
from para_monitor_cli.sandbox.projects import show_project_summary
from para_monitor_cli.sandbox.store import Doc, Store
from para_monitor_cli.sandbox.web import (
    ALERTS_READ,
    ALERTS_WRITE,
    NOT_FOUND,
    Ctx,
    Problem,
    api,
    detail,
    empty,
    now,
    ok,
    org_docs,
    paginate,
    project_ids,
    require,
)
from para_monitor_cli.sandbox.workflow_engine import set_links

ErrorBody = dict[str, Any]

# -- constants (src/sentry/monitors/constants.py, validators.py) -----------------------------------

MAX_MARGIN = 40_320  # minutes
MAX_TIMEOUT = 40_320  # minutes
MAX_THRESHOLD = 720
DEFAULT_MARGIN = 1  # DEFAULT_CHECKIN_MARGIN, minutes
DEFAULT_TIMEOUT = 30  # TIMEOUT, minutes
SLUG_MAX = 50  # DEFAULT_SLUG_MAX_LENGTH; Relay's SLUG_LENGTH
ENVIRONMENT_MAX = 64  # Relay's ENVIRONMENT_LENGTH
MAX_DURATION_MS = 2**31 - 1  # BoundedPositiveIntegerField.MAX_VALUE
NAME_MAX = 128
INTERVAL_NAMES = ("year", "month", "week", "day", "hour", "minute")
NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@hourly": "0 * * * *",
}
STATUSES = ("active", "disabled")
CHECK_IN_STATUSES = ("ok", "error", "in_progress", "missed", "timeout", "unknown")
SLUG_RE = re.compile(r"^(?![0-9]+$)[a-z0-9_-]+$")
DETECTOR_TYPE = "monitor_check_in_failure"  # MonitorIncidentType.slug (monitors/grouptype.py)

_REQUIRED = "This field is required."
_NOT_INT = "A valid integer is required."


# -- schedules: ConfigValidator.validate's crontab rules, and stepping to the next run ------------

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


class CrontabError(ValueError):
    """cronsim could not read the expression (``CronSimError``): "Schedule is invalid"."""


def _cron_value(text: str, index: int) -> int:
    names = _MONTHS if index == 3 else _DAYS if index == 4 else ()
    if text.upper() in names:
        return names.index(text.upper()) + (1 if index == 3 else 0)
    if not text.isdigit():
        raise CrontabError(text)
    low, high = _RANGES[index]
    value = int(text)
    if not low <= value <= high:
        raise CrontabError(text)
    return value


def _cron_field(part: str, index: int) -> tuple[set[int], list[tuple[int, int]], bool]:
    """(plain values, weekday specials (day, nth; nth -1 = last), last-day-of-month)."""
    values: set[int] = set()
    specials: list[tuple[int, int]] = []
    last_day = False
    for item in part.split(","):
        if not item:
            raise CrontabError(part)
        if index == 2 and item.upper() == "L":
            last_day = True
            continue
        if index == 4 and "#" in item:
            day, _, nth = item.partition("#")
            if not nth.isdigit() or not 1 <= int(nth) <= 5:
                raise CrontabError(item)
            specials.append((_cron_value(day, 4) % 7, int(nth)))
            continue
        if index == 4 and len(item) > 1 and item.upper().endswith("L"):
            specials.append((_cron_value(item[:-1], 4) % 7, -1))
            continue
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CrontabError(item)
            step = int(step_text)
        low, high = _RANGES[index]
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _cron_value(first, index), _cron_value(last, index)
            if end < start:
                raise CrontabError(item)
        else:
            start = _cron_value(base, index)
            end = high if slash else start
        values |= set(range(start, end + 1, step))
    if index == 4:
        values = {v % 7 for v in values}
    return values, specials, last_day


class Crontab:
    """A parsed 5-field crontab that can step to its next run (cron's day rule: when both day
    of month and day of week are restricted, either matching is enough)."""

    def __init__(self, expression: str) -> None:
        parts = expression.split()
        if len(parts) != 5:
            raise CrontabError(expression)
        self.minutes = _cron_field(parts[0], 0)[0]
        self.hours = _cron_field(parts[1], 1)[0]
        self.dom, _, self.last_day = _cron_field(parts[2], 2)
        self.months = _cron_field(parts[3], 3)[0]
        self.dow, self.dow_specials, _ = _cron_field(parts[4], 4)
        self.dom_any = parts[2] == "*"
        self.dow_any = parts[4] == "*"
        if self.dom and self.dow_any and not self.last_day:
            longest = max(calendar.monthrange(2024, m)[1] for m in self.months)  # a leap year
            if min(self.dom) > longest:
                raise CrontabError(expression)

    def _day_matches(self, day: datetime) -> bool:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        dom_ok = day.day in self.dom or (self.last_day and day.day == days_in_month)
        weekday = (day.weekday() + 1) % 7  # cron: Sunday is 0
        dow_ok = weekday in self.dow
        for wanted, nth in self.dow_specials:
            last = nth == -1 and day.day + 7 > days_in_month
            if weekday == wanted and (last or (nth > 0 and (day.day - 1) // 7 + 1 == nth)):
                dow_ok = True
        if self.dom_any:
            return dow_ok
        if self.dow_any:
            return dom_ok
        return dom_ok or dow_ok

    def next_after(self, moment: datetime) -> datetime:
        """The first run strictly after ``moment`` (in ``moment``'s time zone)."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(366 * 8):  # eight years of days: enough for 29 February on a Monday
            if candidate.month in self.months and self._day_matches(candidate):
                for hour in sorted(h for h in self.hours if h >= candidate.hour):
                    first = candidate.minute if hour == candidate.hour else 0
                    later = [m for m in sorted(self.minutes) if m >= first]
                    if later:
                        return candidate.replace(hour=hour, minute=later[0])
            candidate = (candidate + timedelta(days=1)).replace(hour=0, minute=0)
        raise CrontabError("no run in eight years")


def normal_crontab(value: str) -> str:
    """ConfigValidator.validate for a crontab: collapse whitespace, translate nicknames, refuse
    more than 5 fields, and make sure it can be stepped (else "Schedule is invalid")."""
    schedule = re.sub(r"\s+", " ", value).strip()
    if schedule.startswith("@"):
        if schedule not in NICKNAMES:
            raise _schedule_error("Schedule was not parseable")
        schedule = NICKNAMES[schedule]
    if len(schedule.split()) > 5:
        raise _schedule_error("Only 5 field crontab syntax is supported")
    try:
        Crontab(schedule).next_after(datetime.now(UTC))
    except CrontabError:
        raise _schedule_error("Schedule is invalid") from None
    return schedule


def _schedule_error(message: str) -> Problem:
    return Problem(400, {"config": {"schedule": [message]}})


def next_run(config: Doc, after: datetime) -> datetime:
    """get_next_schedule (src/sentry/monitors/schedule.py): the crontab's next run in the
    monitor's time zone, or ``after`` plus the interval (months and years by the calendar)."""
    if config.get("schedule_type") == "interval":
        count, unit = config["schedule"]
        if unit in ("month", "year"):
            months = after.month - 1 + count * (12 if unit == "year" else 1)
            year, month = after.year + months // 12, months % 12 + 1
            day = min(after.day, calendar.monthrange(year, month)[1])
            return after.replace(year=year, month=month, day=day)
        return after + timedelta(**{f"{unit}s": count})
    zone = _zone(config.get("timezone"))
    return Crontab(config["schedule"]).next_after(after.astimezone(zone)).astimezone(UTC)


def _zone(name: Any) -> zoneinfo.ZoneInfo:
    try:
        return (
            zoneinfo.ZoneInfo(name) if isinstance(name, str) and name else zoneinfo.ZoneInfo("UTC")
        )
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# -- the rule table: MonitorValidator and ConfigValidator -----------------------------------------


def _int_rule(
    field: str, low: int, high: int, too_big: str | None = None
) -> Callable[[Any], str | None]:
    """EmptyIntegerField(min_value, max_value): "" and null mean unset."""

    def rule(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            return _NOT_INT
        if isinstance(value, str):
            if not value.strip().lstrip("-").isdigit():
                return _NOT_INT
            value = int(value)
        if field == "checkin_margin" and value == 0:
            return None  # MissedMarginField: 0 is taken as 1 (old SDK upserts)
        if value < low:
            return f"Ensure this value is greater than or equal to {low}."
        if value > high:
            return too_big or f"Ensure this value is less than or equal to {high}."
        return None

    return rule


#: ConfigValidator's fields: name -> rule (a message, or None when the value is fine).
CONFIG_RULES: dict[str, Callable[[Any], str | None]] = {
    # checkin_margin = MissedMarginField(min_value=1, max_value=MAX_MARGIN)
    "checkin_margin": _int_rule("checkin_margin", 1, MAX_MARGIN),
    # max_runtime = EmptyIntegerField(min_value=1, max_value=MAX_TIMEOUT, error_messages=...);
    # the message's wording as the validator words it, with the bound of constants.MAX_TIMEOUT
    "max_runtime": _int_rule(
        "max_runtime",
        1,
        MAX_TIMEOUT,
        f"Max runtime must be {MAX_TIMEOUT} minutes (28 days) or less. Lower it to save this "
        "monitor.",
    ),
    # failure_issue_threshold / recovery_threshold = EmptyIntegerField(1, MAX_THRESHOLD)
    "failure_issue_threshold": _int_rule("failure_issue_threshold", 1, MAX_THRESHOLD),
    "recovery_threshold": _int_rule("recovery_threshold", 1, MAX_THRESHOLD),
    # timezone = ChoiceField(choices=AVAILABLE_TIMEZONES, allow_blank=True)
    "timezone": lambda v: (
        None
        if v == "" or (isinstance(v, str) and v in zoneinfo.available_timezones() | {"UTC"})
        else f'"{v}" is not a valid choice.'
    ),
    # schedule_type = ChoiceField(choices=crontab, interval)
    "schedule_type": lambda v: (
        None if v in ("crontab", "interval") else f'"{v}" is not a valid choice.'
    ),
}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def validate_config(raw: Any, stored: Doc | None, *, partial: bool) -> tuple[Doc, ErrorBody]:
    """ConfigValidator.is_valid: field rules, then validate() (the schedule). Returns the
    cleaned config and the field errors (nested under ``config`` by the caller)."""
    if not isinstance(raw, dict):
        return {}, {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}
    data = {_snake(str(k)): v for k, v in raw.items()}
    errors: ErrorBody = {}
    for name, rule in CONFIG_RULES.items():
        if name in data:
            message = rule(data[name])
            if message:
                errors[name] = [message]
    if "schedule" not in data and not partial:
        errors["schedule"] = [_REQUIRED]
    if errors:
        return {}, errors
    cleaned: Doc = {}
    for name in ("checkin_margin", "max_runtime", "failure_issue_threshold", "recovery_threshold"):
        if name in data:
            value = data[name]
            cleaned[name] = None if value in (None, "") else max(int(value), 1)
    if data.get("timezone"):
        cleaned["timezone"] = data["timezone"]
    schedule = data.get("schedule")
    if not schedule:
        return cleaned, {}
    # ConfigValidator.validate: the type from schedule_type, the object form, or the stored one
    schedule_type = data.get("schedule_type") or (stored or {}).get("schedule_type")
    if isinstance(schedule, dict) and schedule.get("type"):
        schedule_type = schedule["type"] if schedule["type"] in ("crontab", "interval") else None
    if schedule_type is None:
        return {}, {"schedule_type": ["Missing or invalid schedule type"]}
    try:
        if schedule_type == "interval":
            if isinstance(schedule, dict):
                schedule = [schedule.get("value"), schedule.get("unit")]
            if not isinstance(schedule, list) or len(schedule) < 2:
                return {}, {"schedule": ["Invalid schedule for for 'interval' type"]}
            count, unit = schedule[0], schedule[1]
            if not isinstance(count, int) or isinstance(count, bool):
                return {}, {"schedule": ["Invalid schedule for schedule unit count"]}
            if count <= 0:
                return {}, {"schedule": ["Interval must be greater than zero"]}
            if unit not in INTERVAL_NAMES:
                return {}, {"schedule": ["Invalid schedule for schedule unit name"]}
            cleaned["schedule"] = [count, unit]
        else:
            if isinstance(schedule, dict):
                schedule = schedule.get("value")
            if not isinstance(schedule, str):
                return {}, {"schedule": ["Invalid schedule for 'crontab' type"]}
            cleaned["schedule"] = normal_crontab(schedule)
    except Problem as problem:
        return {}, problem.body["config"]
    cleaned["schedule_type"] = schedule_type
    return cleaned, {}


def _slug_error(slug: Any) -> str | None:
    """SentrySerializerSlugField (api/fields/sentry_slug.py): the slug pattern, max 50."""
    if not isinstance(slug, str):
        return "Not a valid string."
    if len(slug) > SLUG_MAX:
        return f"Ensure this field has no more than {SLUG_MAX} characters."
    if not SLUG_RE.match(slug):
        return (
            "Enter a valid slug consisting of lowercase letters, numbers, underscores or hyphens. "
            "It cannot be entirely numeric."
        )
    return None


def slugify(text: str) -> str:
    """slugify_monitor_slug (monitors/types.py): Django's slugify, lower case, cut to 50."""
    slug = re.sub(r"[^\w\s-]", "", text.lower())
    slug = re.sub(r"[-\s]+", "-", slug).strip("-_")
    return slug[:SLUG_MAX]


def validate_monitor(ctx: Ctx, body: Any, monitor: Doc | None) -> Doc:
    """MonitorValidator.is_valid (create: ``monitor`` None; update: partial). Returns the cleaned
    fields or raises the 400 of DRF's field errors."""
    if not isinstance(body, dict):
        raise Problem(400, {"non_field_errors": ["Invalid data. Expected a dictionary."]})
    data = {_snake(str(k)): v for k, v in body.items()}
    partial = monitor is not None
    errors: ErrorBody = {}
    cleaned: Doc = {}
    # project = ProjectField(required=True, id_allowed=True)
    if "project" in data:
        project = _project(ctx, data["project"])
        if project is None:
            errors["project"] = ["Invalid project"]
        elif monitor is not None and project["id"] != monitor["projectId"]:
            # MonitorValidator.update
            raise Problem(
                400, {"detail": {"message": "existing monitors may not be moved between projects"}}
            )
        else:
            cleaned["projectId"] = project["id"]
    elif not partial:
        errors["project"] = [_REQUIRED]
    # name = CharField(max_length=128)
    if "name" in data:
        name = data["name"]
        if not isinstance(name, str | int | float) or isinstance(name, bool) or name == "":
            errors["name"] = [
                "This field may not be blank." if name == "" else "Not a valid string."
            ]
        elif len(str(name)) > NAME_MAX:
            errors["name"] = [f"Ensure this field has no more than {NAME_MAX} characters."]
        else:
            cleaned["name"] = str(name)
    elif not partial:
        errors["name"] = [_REQUIRED]
    # slug = SentrySerializerSlugField(max_length=50); validate_slug: unique in the organization
    if data.get("slug"):
        message = _slug_error(data["slug"])
        if message:
            errors["slug"] = [message]
        else:
            slug = slugify(data["slug"])
            taken = any(
                m["slug"] == slug and (monitor is None or m["id"] != monitor["id"])
                for m in org_docs(ctx, "monitor")
            )
            if taken:
                errors["slug"] = [f'The slug "{slug}" is already in use.']
            else:
                cleaned["slug"] = slug
    # status = ChoiceField(active, disabled)
    if "status" in data:
        if data["status"] not in STATUSES:
            errors["status"] = [f'"{data["status"]}" is not a valid choice.']
        else:
            cleaned["status"] = data["status"]
    # owner = OwnerActorField(allow_null=True): "user:<id>" / "team:<id>" of the organization
    if "owner" in data:
        owner = data["owner"]
        if owner is None or owner == "":
            cleaned["owner"] = None
        elif show_actor(ctx.store, owner) is None:
            errors["owner"] = [
                "Could not parse actor. Format should be `type:id` where type is `team` or `user`."
            ]
        else:
            cleaned["owner"] = owner
    # is_muted = BooleanField
    if "is_muted" in data:
        if not isinstance(data["is_muted"], bool):
            errors["isMuted"] = ["Must be a valid boolean."]
        else:
            cleaned["isMuted"] = data["is_muted"]
    # config = ConfigValidator(); on update, merged into the stored config
    if "config" in data:
        config, config_errors = validate_config(
            data["config"], monitor["config"] if monitor else None, partial=partial
        )
        if config_errors:
            errors["config"] = config_errors
        else:
            cleaned["config"] = config
    elif not partial:
        errors["config"] = [_REQUIRED]
    if errors:
        raise Problem(400, errors)
    return cleaned


def _project(ctx: Ctx, ref: Any) -> Doc | None:
    ref = str(ref)
    return next((p for p in org_docs(ctx, "project") if ref in (p["slug"], p["id"])), None)


# -- stored shape ---------------------------------------------------------------------------------

_CONFIG_KEYS = (
    "schedule_type",
    "schedule",
    "checkin_margin",
    "max_runtime",
    "timezone",
    "failure_issue_threshold",
    "recovery_threshold",
    "alert_rule_id",
)


def full_config(config: Doc) -> Doc:
    """The config as MonitorSerializer shows it: every key, unset ones null."""
    return {key: config.get(key) for key in _CONFIG_KEYS}


def new_monitor(store: Store, org_id: str, project_id: str, fields: Doc, when: str) -> Doc:
    """Monitor.objects.create; Monitor.save derives a unique slug from the name when none is
    given (slugify_instance)."""
    slug = fields.get("slug") or slugify(fields["name"]) or "monitor"
    taken = {m["slug"] for m in store.all("monitor") if m["org"] == org_id}
    base, n = slug, 1
    while slug in taken:
        suffix = f"-{n}"
        slug = base[: SLUG_MAX - len(suffix)] + suffix
        n += 1
    pk = str(store.next_id("monitor"))
    monitor = {
        "id": uuid.uuid4().hex,
        "pk": pk,
        "org": org_id,
        "projectId": project_id,
        "name": fields["name"],
        "slug": slug,
        "status": fields.get("status", "active"),
        "isMuted": fields.get("isMuted", False),
        "owner": fields.get("owner"),
        "config": full_config(fields.get("config") or {}),
        "dateCreated": when,
    }
    store.put("monitor", monitor["id"], monitor)
    ensure_detector(store, monitor, when)
    return monitor


def ensure_detector(store: Store, monitor: Doc, when: str) -> Doc:
    """ensure_cron_detector: one detector of type monitor_check_in_failure per monitor, its
    data source ``cron_monitor`` pointing at the monitor; kept in step with the monitor (name,
    owner, enabled = status active)."""
    detector_id = monitor.get("detector")
    detector = store.get("detector", detector_id) if detector_id else None
    if detector is None:
        detector_id = str(store.next_id("detector"))
        detector = {"id": detector_id, "dateCreated": when, "createdBy": None, "description": None}
        monitor["detector"] = detector_id
        store.put("monitor", monitor["id"], monitor)
    detector.update(
        {
            "org": monitor["org"],
            "projectId": monitor["projectId"],
            "name": monitor["name"],
            "type": DETECTOR_TYPE,
            "owner": monitor.get("owner"),
            "enabled": monitor["status"] == "active",
            "dateUpdated": when,
            "conditionGroup": None,
            "config": {},
            "cronMonitor": monitor["id"],
            "dataSources": [
                {
                    "id": f"cron-{monitor['pk']}",
                    "organizationId": monitor["org"],
                    "type": "cron_monitor",
                    "sourceId": monitor["pk"],
                    "queryObj": {
                        "id": monitor["id"],
                        "name": monitor["name"],
                        "slug": monitor["slug"],
                        "status": monitor["status"],
                        "isMuted": monitor["isMuted"],
                        "config": full_config(monitor["config"]),
                    },
                }
            ],
        }
    )
    store.put("detector", detector["id"], detector)
    return detector


def environments(store: Store, monitor: Doc) -> list[Doc]:
    return [e for e in store.all("monitor_env") if e["monitor"] == monitor["id"]]


def ensure_environment(store: Store, monitor: Doc, name: str | None, when: str) -> Doc:
    """MonitorEnvironment.objects.ensure_environment: absent or empty is "production"."""
    name = name or "production"
    key = f"{monitor['id']}:{name}"
    env = store.get("monitor_env", key)
    if env is None:
        env = {
            "id": key,
            "monitor": monitor["id"],
            "name": name,
            "status": "active",
            "isMuted": monitor.get("isMuted", False),
            "dateCreated": when,
            "lastCheckIn": None,
            "nextCheckIn": None,
            "nextCheckInLatest": None,
            "failures": 0,
            "oks": 0,
            "incident": None,
        }
        store.put("monitor_env", key, env)
        model.get_or_create_environment(store, monitor["org"], monitor["projectId"], name, when)
    return env


def show_environment(env: Doc) -> Doc:
    """MonitorEnvironmentSerializer."""
    return {
        "name": env["name"],
        "status": env["status"],
        "isMuted": env["isMuted"],
        "dateCreated": env["dateCreated"],
        "lastCheckIn": env["lastCheckIn"],
        "nextCheckIn": env["nextCheckIn"],
        "nextCheckInLatest": env["nextCheckInLatest"],
        "activeIncident": env["incident"],
    }


def show_monitor(ctx: Ctx, monitor: Doc) -> Doc:
    """MonitorSerializer.serialize. (The OpenAPI spec types ``environments`` as one object
    and an interval schedule as integers; MonitorSerializer serializes a list of environments
    and ``[count, "unit"]``: the sandbox answers as Sentry does.)"""
    wanted = set(ctx.request.query_params.getlist("environment"))
    envs = [e for e in environments(ctx.store, monitor) if not wanted or e["name"] in wanted]
    project = ctx.store.get("project", monitor["projectId"]) or {}
    shown_project = show_project_summary(ctx.store, project, ctx.user, None)
    shown_project.pop("team", None)
    shown_project.update(
        {
            "isInternal": False,
            "isPublic": False,
            "avatar": {"avatarType": "letter_avatar", "avatarUuid": None, "avatarUrl": None},
            "color": "#3f70bf",
            "status": "active",
        }
    )
    return {
        "id": monitor["id"],
        "name": monitor["name"],
        "slug": monitor["slug"],
        "status": monitor["status"],
        "isMuted": monitor["isMuted"],
        "isUpserting": False,
        "config": full_config(monitor["config"]),
        "dateCreated": monitor["dateCreated"],
        "project": shown_project,
        "environments": [show_environment(e) for e in envs],
        "owner": show_actor(ctx.store, monitor.get("owner")),
    }


def show_check_in(check_in: Doc) -> Doc:
    """MonitorCheckInSerializer."""
    return {
        "id": check_in["id"],
        "environment": check_in["environment"],
        "status": check_in["status"],
        "duration": check_in["duration"],
        "dateCreated": check_in["dateAdded"],
        "dateAdded": check_in["dateAdded"],
        "dateUpdated": check_in["dateUpdated"],
        "dateInProgress": check_in["dateInProgress"],
        "dateClock": check_in["dateClock"],
        "expectedTime": check_in["expectedTime"],
        "monitorConfig": check_in["monitorConfig"],
        "groups": [],
    }


# -- what a check-in does to its monitor environment ---------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def record(store: Store, monitor: Doc, env: Doc, status: str, when: str) -> None:
    """mark_ok / mark_failed (src/sentry/monitors/logic/): the environment's status, its next
    expected check-in (next_checkin_latest = next + checkin_margin) and the incident."""
    config = monitor["config"]
    moment = _parse(when)
    if status in ("ok", "error"):
        env["lastCheckIn"] = when
        try:
            following = next_run(config, moment)
        except (CrontabError, KeyError, TypeError, ValueError, OverflowError):
            following = moment
        margin = config.get("checkin_margin") or DEFAULT_MARGIN
        env["nextCheckIn"] = _iso(following)
        env["nextCheckInLatest"] = _iso(following + timedelta(minutes=margin))
    if status == "ok":
        env["status"] = "ok"
        env["failures"] = 0
        env["oks"] += 1
        if env["incident"] is not None and env["oks"] >= (config.get("recovery_threshold") or 1):
            env["incident"] = None
    elif status in ("error", "missed", "timeout"):
        env["status"] = "error"
        env["oks"] = 0
        env["failures"] += 1
        if env["incident"] is None and env["failures"] >= (
            config.get("failure_issue_threshold") or 1
        ):
            env["incident"] = {
                "startingTimestamp": when,
                "resolvingTimestamp": when,
                "brokenNotice": None,
            }
    store.put("monitor_env", env["id"], env)


def add_check_in(
    store: Store, monitor: Doc, env: Doc, status: str, when: str, **fields: Any
) -> Doc:
    check_in = {
        "id": fields.get("id") or uuid.uuid4().hex,
        "monitor": monitor["id"],
        "environment": env["name"],
        "status": status,
        "duration": fields.get("duration"),
        "dateAdded": when,
        "dateUpdated": when,
        "dateInProgress": when if status == "in_progress" else None,
        "dateClock": when[:17] + "00.000000Z",
        "expectedTime": env["nextCheckIn"] or when,
        "monitorConfig": full_config(monitor["config"]),
    }
    store.put("monitor_checkin", check_in["id"], check_in)
    return check_in


# -- ingestion of envelope check_in items ---------------------------------------------------------


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _relay_reads(item: Doc) -> bool:
    """Whether Relay's ``CheckIn`` deserializes the item (relay-monitors/src/lib.rs): a
    ``status`` string, a ``monitor_slug`` string, a UUID ``check_in_id``, an environment
    string, a number ``duration``, and a ``monitor_config`` with a ``schedule`` that is
    ``{"type": "crontab", "value": <string>}`` or ``{"type": "interval", "value": <int >= 0>,
    "unit": <name>}``. Anything else fails the item as a whole (it is dropped)."""
    if not isinstance(item.get("status"), str):
        return False
    if not isinstance(item.get("monitor_slug", ""), str):
        return False
    if "check_in_id" in item and not _is_uuid(item["check_in_id"]):
        return False
    if item.get("environment") is not None and not isinstance(item["environment"], str):
        return False
    duration = item.get("duration")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int | float)
    ):
        return False
    config = item.get("monitor_config")
    if config is None:
        return True
    schedule = config.get("schedule") if isinstance(config, dict) else None
    if not isinstance(schedule, dict):
        return False
    if schedule.get("type") == "crontab":
        return isinstance(schedule.get("value"), str)
    value = schedule.get("value")
    return (
        schedule.get("type") == "interval"
        and isinstance(value, int)
        and not isinstance(value, bool)
        and value >= 0
        and schedule.get("unit") in INTERVAL_NAMES
    )


def ingest_check_in(store: Store, project: Doc, payload: bytes) -> None:
    """One ``check_in`` envelope item: Relay's process_check_in, then the consumer.

    Relay: the JSON must parse (else the item is dropped), ``missed`` from a client becomes
    ``unknown``, the slug is cut to 50 characters and an empty one dropped, an environment over
    64 characters dropped. Consumer (_process_checkin): the slug is slugified; the monitor is
    found in the project, or created from a valid ``monitor_config`` (_ensure_monitor_with_config;
    an invalid config is ignored); without a monitor the check-in is dropped (MonitorNotFound);
    a disabled monitor drops it; a known ``check_in_id`` closes that check-in (its duration, in
    seconds from the SDK, stored in milliseconds)."""
    try:
        item = loads(payload)
    except ValueError:  # ProcessCheckInError::Json: Relay drops the item, not the envelope
        return
    if not isinstance(item, dict) or not _relay_reads(item):
        return
    status = item["status"]
    status = status if status in ("ok", "error", "in_progress") else "unknown"
    raw_slug = item.get("monitor_slug", "")
    if not raw_slug[:SLUG_MAX]:
        return  # ProcessCheckInError::EmptySlug
    environment = item.get("environment")
    if environment is not None and len(environment) > ENVIRONMENT_MAX:
        return  # ProcessCheckInError::InvalidEnvironment
    slug = slugify(raw_slug[:SLUG_MAX])
    when = now()
    monitor = next(
        (m for m in store.all("monitor") if m["projectId"] == project["id"] and m["slug"] == slug),
        None,
    )
    config = item.get("monitor_config")
    if isinstance(config, dict) and config:
        upsert = {k: v for k, v in config.items() if k != "owner"}
        cleaned, errors = validate_config(upsert, None, partial=False)
        if not errors:
            if monitor is None:
                monitor = new_monitor(
                    store, project["org"], project["id"], {"name": slug, "slug": slug}, when
                )
            monitor["config"] = full_config({**monitor["config"], **cleaned})
            store.put("monitor", monitor["id"], monitor)
            ensure_detector(store, monitor, when)
    if monitor is None or monitor["status"] != "active":
        return
    env = ensure_environment(store, monitor, environment, when)
    duration = item.get("duration")
    millis = None
    if isinstance(duration, int | float) and not isinstance(duration, bool):
        # valid_duration (monitors/utils.py): 0 to BoundedPositiveIntegerField.MAX_VALUE ms,
        # else the consumer drops the check-in (CHECKIN_INVALID_DURATION)
        if not 0 <= duration * 1000 <= MAX_DURATION_MS:
            return
        millis = int(duration * 1000)
    check_in_id = uuid.UUID(item["check_in_id"]).hex if "check_in_id" in item else None
    if check_in_id == uuid.UUID(int=0).hex:
        check_in_id = None  # EventId::nil: a new check-in
    existing = store.get("monitor_checkin", check_in_id) if check_in_id else None
    if existing is not None and existing["monitor"] == monitor["id"]:
        if existing["status"] != "in_progress":
            return  # a finished check-in is not updated again
        existing.update({"status": status, "dateUpdated": when})
        if millis is not None:
            existing["duration"] = millis
        store.put("monitor_checkin", existing["id"], existing)
    elif existing is None:
        add_check_in(store, monitor, env, status, when, id=check_in_id, duration=millis)
    else:
        return  # the id of another monitor's check-in
    record(store, monitor, env, status, when)


# -- routes ---------------------------------------------------------------------------------------


def find_monitor(ctx: Ctx, ref: str) -> Doc:
    """By guid or slug; project-scoped routes only see their project's monitors."""
    wanted = ctx.project["id"] if ctx.project else None
    for monitor in org_docs(ctx, "monitor"):
        if ref in (monitor["id"], monitor["slug"]) and wanted in (None, monitor["projectId"]):
            return monitor
    raise detail(404, NOT_FOUND)


def _environment_filter(ctx: Ctx, docs: list[Doc]) -> list[Doc]:
    """OrganizationMonitorIndexEndpoint.get's environment filter. get_filter_params resolves
    every ``environment`` name to the organization's Environment (one it does not know is a 404,
    ResourceDoesNotExist from api/helpers/environments.py get_environments); a monitor is kept
    when one of its monitor environments is among them (``includeNew`` also keeps monitors with
    none yet). MonitorSerializer then shows only those environments (:func:`show_monitor`)."""
    wanted = set(ctx.request.query_params.getlist("environment"))
    if not wanted:
        return docs
    known = model.org_environments(ctx.store, ctx.org["id"])
    if not wanted <= set(known):
        raise detail(404, NOT_FOUND)
    include_new = bool(ctx.request.query_params.get("includeNew"))
    kept = []
    for monitor in docs:
        names = {e["name"] for e in environments(ctx.store, monitor)}
        if names & wanted or (include_new and not names):
            kept.append(monitor)
    return kept


def _my_team_ids(ctx: Ctx) -> set[str]:
    """``myteams``: the teams the requesting user is a member of
    (request.access.team_ids_with_membership)."""
    out = set()
    for team in org_docs(ctx, "team"):
        members = (ctx.store.get("member", m) for m in team.get("members", []))
        if any(m is not None and m["user"] == ctx.user for m in members):
            out.add(team["id"])
    return out


def _owner_filter(ctx: Ctx, docs: list[Doc]) -> list[Doc]:
    """OrganizationMonitorIndexEndpoint.get's ``owner`` filter: each value an actor identifier
    (Actor.from_identifier: ``user:<id>``, ``team:<id>``, or bare digits for a user), or
    ``myteams`` (the caller's teams) or ``unassigned`` (no owner). Team ids go through
    get_teams (api/helpers/teams.py): a team of another organization is a 403 ("You do not have
    permission to access ..."); an id no team has matches nothing. A monitor is kept when its
    owner is one of the users or teams (or it has none and ``unassigned`` was given)."""
    owners = set(ctx.request.query_params.getlist("owner"))
    if not owners:
        return docs
    include_unassigned = "unassigned" in owners
    team_ids = _my_team_ids(ctx) if "myteams" in owners else set()
    user_ids: set[str] = set()
    for ident in owners - {"myteams", "unassigned"}:
        kind, _, number = ident.partition(":") if ":" in ident else ("user", "", ident)
        if kind not in ("user", "team") or not number.isdigit():
            # Sentry's Actor.from_identifier raises on these (int("x") -> a 500); the sandbox
            # names the value instead
            raise detail(400, f"Invalid owner: {ident!r} (use user:<id>, team:<id> or myteams)")
        if kind == "user":
            user_ids.add(number)
            continue
        team = ctx.store.get("team", number)
        if team is None:
            continue
        if team.get("org") not in (None, ctx.org["id"]):
            raise detail(403, f"Error: You do not have permission to access {team['name']}")
        team_ids.add(number)
    wanted = {f"user:{u}" for u in user_ids} | {f"team:{t}" for t in team_ids}
    return [
        m for m in docs if m.get("owner") in wanted or (include_unassigned and not m.get("owner"))
    ]


@api(*ALERTS_READ)
async def monitors_list(ctx: Ctx) -> Response:
    """OrganizationMonitorIndexEndpoint.get (src/sentry/monitors/endpoints/
    organization_monitor_index.py): the ``project``, ``environment`` and ``owner`` filters."""
    docs = [m for m in org_docs(ctx, "monitor") if m["projectId"] in project_ids(ctx)]
    projects = [p for p in ctx.request.query_params.getlist("project") if p != "-1"]
    if projects:
        docs = [m for m in docs if m["projectId"] in projects]
    docs = _owner_filter(ctx, _environment_filter(ctx, docs))
    return paginate(ctx, docs, show=lambda m: show_monitor(ctx, m))


@api(*ALERTS_WRITE)
async def monitor_create(ctx: Ctx) -> Response:
    """OrganizationMonitorIndexEndpoint.post: MonitorValidator, then create()."""
    body = require(await ctx.body())
    fields = validate_monitor(ctx, body, None)
    monitor = new_monitor(ctx.store, ctx.org["id"], fields["projectId"], fields, now())
    return ok(show_monitor(ctx, monitor), 201)


@api(*ALERTS_READ)
async def monitor_detail(ctx: Ctx) -> Response:
    return ok(show_monitor(ctx, find_monitor(ctx, ctx.request.path_params["monitor"])))


@api(*ALERTS_WRITE)
async def monitor_update(ctx: Ctx) -> Response:
    """MonitorValidator.update: partial; ``config`` merged into the stored one."""
    monitor = find_monitor(ctx, ctx.request.path_params["monitor"])
    fields = validate_monitor(ctx, require(await ctx.body()), monitor)
    for key in ("name", "slug", "status", "owner", "isMuted"):
        if key in fields:
            monitor[key] = fields[key]
    if "config" in fields:
        monitor["config"] = full_config({**monitor["config"], **fields["config"]})
    ctx.store.put("monitor", monitor["id"], monitor)
    ensure_detector(ctx.store, monitor, now())
    return ok(show_monitor(ctx, monitor))


def delete_monitor(store: Store, monitor: Doc) -> None:
    for env in environments(store, monitor):
        store.delete("monitor_env", env["id"])
    for check_in in store.all("monitor_checkin"):
        if check_in["monitor"] == monitor["id"]:
            store.delete("monitor_checkin", check_in["id"])
    if monitor.get("detector"):
        store.delete("detector", monitor["detector"])
        set_links(store, [], detector=monitor["detector"])
    store.delete("monitor", monitor["id"])


@api(*ALERTS_WRITE)
async def monitor_delete(ctx: Ctx) -> Response:
    """base_monitor_details delete: 202; with ``environment`` only those environments go."""
    monitor = find_monitor(ctx, ctx.request.path_params["monitor"])
    wanted = ctx.request.query_params.getlist("environment")
    if wanted:
        envs = [e for e in environments(ctx.store, monitor) if e["name"] in wanted]
        if not envs:
            raise detail(404, NOT_FOUND)
        for env in envs:
            ctx.store.delete("monitor_env", env["id"])
    else:
        delete_monitor(ctx.store, monitor)
    return empty(202)


def update_detector(ctx: Ctx, detector: Doc, body: Doc) -> Doc:
    """A PUT on a monitor's detector (MonitorIncidentDetectorValidator, partial): its
    description, name and owner, and ``enabled``, which is the monitor's status (update():
    enabling assigns a seat and activates the monitor, disabling disables it)."""
    errors: ErrorBody = {}
    if "description" in body and not (
        body["description"] is None or isinstance(body["description"], str)
    ):
        errors["description"] = ["Not a valid string."]
    if "enabled" in body and not isinstance(body["enabled"], bool):
        errors["enabled"] = ["Must be a valid boolean."]
    name = body.get("name")
    if "name" in body and (not isinstance(name, str) or not name or len(name) > 200):
        errors["name"] = ["This field may not be blank." if name == "" else "Not a valid string."]
    if errors:
        raise Problem(400, errors)
    monitor = ctx.store.get("monitor", str(detector.get("cronMonitor")))
    if "description" in body:
        detector["description"] = body["description"]
    if monitor is not None:
        if "enabled" in body:
            monitor["status"] = "active" if body["enabled"] else "disabled"
        if isinstance(name, str):
            monitor["name"] = name[:NAME_MAX]
        if "owner" in body and (body["owner"] is None or show_actor(ctx.store, body["owner"])):
            monitor["owner"] = body["owner"]
        ctx.store.put("monitor", monitor["id"], monitor)
        ctx.store.put("detector", detector["id"], detector)
        return ensure_detector(ctx.store, monitor, now())
    detector["dateUpdated"] = now()
    return detector


@api(*ALERTS_READ)
async def check_ins_list(ctx: Ctx) -> Response:
    """The check-ins index: newest first, ``environment`` filter."""
    monitor = find_monitor(ctx, ctx.request.path_params["monitor"])
    wanted = set(ctx.request.query_params.getlist("environment"))
    found = [
        c
        for c in ctx.store.all("monitor_checkin")
        if c["monitor"] == monitor["id"] and (not wanted or c["environment"] in wanted)
    ]
    found.reverse()
    return paginate(ctx, found, show=show_check_in)


@api()
async def control_missed(ctx: Ctx) -> Response:
    """The sandbox's own: a run of this monitor is missed now (check_missed's
    mark_environment_missing: a ``missed`` check-in, then mark_failed). Body:
    ``{"environment": "production"}`` (optional)."""
    monitor = find_monitor(ctx, ctx.request.path_params["monitor"])
    body = await ctx.body()
    environment = body.get("environment") if isinstance(body, dict) else None
    if environment is not None and not isinstance(environment, str):
        raise Problem(400, {"environment": ["Not a valid string."]})
    when = now()
    env = ensure_environment(ctx.store, monitor, environment, when)
    check_in = add_check_in(ctx.store, monitor, env, "missed", when)
    record(ctx.store, monitor, env, "missed", when)
    return ok(show_check_in(check_in), 201)


# this type's own validator on the detector endpoints (get_detector_validator)
register_type(DETECTOR_TYPE, TypeValidator(update=update_detector))


def routes(org: str, project: str) -> list[Route]:
    return [
        Route(org + "/monitors/", monitors_list, methods=["GET"]),
        Route(org + "/monitors/", monitor_create, methods=["POST"]),
        Route(org + "/monitors/{monitor}/", monitor_detail, methods=["GET"]),
        Route(org + "/monitors/{monitor}/", monitor_update, methods=["PUT"]),
        Route(org + "/monitors/{monitor}/", monitor_delete, methods=["DELETE"]),
        Route(org + "/monitors/{monitor}/checkins/", check_ins_list, methods=["GET"]),
        Route(project + "/monitors/{monitor}/", monitor_detail, methods=["GET"]),
        Route(project + "/monitors/{monitor}/", monitor_update, methods=["PUT"]),
        Route(project + "/monitors/{monitor}/", monitor_delete, methods=["DELETE"]),
        Route(project + "/monitors/{monitor}/checkins/", check_ins_list, methods=["GET"]),
        Route(
            "/_sandbox/organizations/{org}/monitors/{monitor}/missed/",
            control_missed,
            methods=["POST"],
        ),
    ]


__all__ = ["Crontab", "ingest_check_in", "next_run", "routes", "validate_config"]

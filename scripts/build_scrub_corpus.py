# ruff: noqa: E501, S608 - the corpus reads best with one value per line; its SQL is data
"""Builds the built-in corpus (``corpus/events.json``) and its manifest (``corpus/manifest.json``).

The corpus is checked in as JSON; this module is how it was written, so it can be extended and
rebuilt reproducibly: ``python scripts/build_scrub_corpus.py``. tests/test_scrub.py checks that the
checked-in files are what it builds. Every planted secret is
declared with :func:`secret` (its kind) and every value that must survive with :func:`keep`; the
manifest records each one at every JSON path where it occurs. All secrets are fake: they only
have the shape of the real thing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from para_monitor_cli.scrub.checker import format_path, leaves

CORPUS_DIR = Path(__file__).resolve().parent.parent / "para_monitor_cli" / "scrub" / "corpus"

_secrets: list[tuple[str, str]] = []
_keeps: list[Any] = []


def secret(value: str, kind: str) -> str:
    _secrets.append((value, kind))
    return value


def keep(value: Any) -> Any:
    _keeps.append(value)
    return value


# ---- the fake secrets ------------------------------------------------------------------------

JWT_USER = secret(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyIsInJvbGUiOiJhdXRoZW50aWNhdGVkIn0"
    ".Pm4kFakeSignatureForParaMonitorTests0123456789",
    "jwt",
)
JWT_SERVICE = secret(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ"
    ".SrvRoleFakeSignature9876543210abcdefABCDEF",
    "supabase_key",
)
ANTHROPIC = secret(
    "sk-ant-api03-PmFakeAnthropicKey0123456789abcdefGHIJKLmnop-QRSTUV", "anthropic_key"
)
OPENAI = secret("sk-proj-PmFakeOpenAIKey0123456789abcdefghijklmnopQRSTUV", "openai_key")
AWS_ID = secret("AKIAPMFAKE0123456789", "aws_access_key")
AWS_SECRET = secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYPMFAKEKEY01", "aws_secret_key")
GITHUB = secret("ghp_PmFakeGithubToken0123456789abcdefghijKL", "github_token")
GITHUB_PAT = secret("github_pat_11PMFAKE0_abcdefghijklmnopqrstuvwxyz0123456789", "github_token")
STRIPE = secret("sk_live_51PmFakeStripeKey0123456789abcdef", "stripe_key")
STRIPE_RK = secret("rk_live_51PmFakeRestrictedKey0123456789", "stripe_key")
STRIPE_WH = secret("whsec_PmFakeWebhookSecret0123456789abcd", "stripe_key")
SLACK = secret("xoxb-1234567890-0987654321-PmFakeSlackBotToken", "slack_token")
GOOGLE = secret("AIzaSyPmFakeGoogleApiKey0123456789abcde", "google_api_key")
RESEND = secret("re_PmFake12_AbCdEfGhIjKlMnOpQrStUv", "resend_key")
LOGIN_PASSWORD = secret("Tr0ub4dor&3-para", "password")
DB_PASSWORD = secret("pg-Sup3rS3cret-pass", "password")
REDIS_PASSWORD = secret("r3dis-PmFake-pass", "password")
SESSION = secret("sess_PmFake7c9e1d2b3a4f5e6d", "session")
CSRF = secret("csrf-PmFake-9f8e7d6c5b4a", "csrf_token")
REFRESH = secret("rt-PmFake-v1-4f3e2d1c0b9a8877", "token")
MCP_TOKEN = secret("mcp-PmFake-Token-55aa66bb77cc", "token")
CARD = secret("4242424242424242", "card_number")
CARD_SPACED = secret("5555 5555 5555 4444", "card_number")
OTP = secret("918273", "otp")
SIGNING = secret("t=1762340000,v1=PmFakeStripeSignature0123456789abcdef", "signature")
PEM = secret(
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCPmFakePrivateKeyBody0123456789\n"
    "-----END PRIVATE KEY-----",
    "private_key",
)
CUSTOM = secret("para-internal-PmFake-42", "sensitive_field")
FORM_PASSWORD = secret("PmFormPassw0rd", "password")  # only its field's name gives it away
# personal data in free text (removed by default, kept in the user context)
EMAIL = secret("ana@example.com", "email")
EMAIL_FORM = secret("ana%40example.com", "email")  # URL-encoded, as form bodies carry it
SENDER = secret("hi@para-autopilot.app", "email")
SERVICE_EMAIL = secret("sync@para.iam.gserviceaccount.com", "email")
CLIENT_IP = secret("10.0.0.12", "ip_address")
EMAIL_2 = secret("ana.silva@example.com", "email")
EMAIL_2_QUERY = secret("ana.silva%40example.com", "email")
IP_V4 = secret("203.0.113.42", "ip_address")
IP_V6 = secret("2001:db8:85a3::8a2e:370:7334", "ip_address")
CARD_VISA = secret("4111 1111 1111 1111", "card_number")
# credentials inside SQL, one per dialect and statement form
SQL_PG = secret("pg-AlterR0le-pass", "password")
SQL_PG_USER = secret("pg-CreateUs3r-pass", "password")
SQL_PG_DOLLAR = secret("pg-D0llarQuoted-pass", "password")
SQL_PG_MAPPING = secret("pg-UserMapp1ng-pass", "password")
SQL_MYSQL = secret("my-Ident1fied-pass", "password")
SQL_MYSQL_SET = secret("my-SetPassw0rd-pass", "password")
SQL_MYSQL_GRANT = secret("my-GrantIdent-pa55", "password")
SQL_MSSQL = secret("ms-CreateL0gin-pass", "password")
SQL_ORACLE = secret("oraT1gerPass", "password")
SQL_ORACLE_CONNECT = secret("oraC0nnectPass", "password")
SQL_SQLITE = secret("sqlc-Pragma-k3y", "password")
SQL_DBLINK = secret("dbl-Link-pa55", "password")
SQL_URI = secret("uri-Literal-pa55", "password")
# credentials under generic names: a live/test prefix, or a long random value
GATEWAY_KEY = secret("gk_live_7Hq2Lm9Xv4Rt8Np3Ks6Wd1Zb", "api_key")
GATEWAY_KEY_TEXT = secret("gk_test_5Fj8Kd2Lq9Wm4Xn7Rb3Tc", "api_key")
PUBLISHABLE_KEY = secret("pk_test_51PmFakePublishable0123456789ab", "api_key")
PARTNER_KEY = secret("Xk29fQa8LmZ0pR7vT3nB5wYc4Ej1Uh6s", "api_key")
PARTNER_KEY_TEXT = secret("Zr8Kq2Wm5Tn9Xv3Lb7Hc4JdP6", "api_key")

# ---- harmless values that look a little like secrets -----------------------------------------

USER_ID = keep("user-123")
EVENT_ID = "9f1c2a7b3e4d4c5b8a6f0e1d2c3b4a59"
TRACE_ID = keep("4bf92f3577b34da6a3ce929d0e0e4736")
SPAN_ID = keep("00f067aa0ba902b7")
TASK_UUID = keep("550e8400-e29b-41d4-a716-446655440000")
PROJECT_UUID = keep("7d444840-9dc0-11d1-b245-5ffdce74fad2")
TS = 1762340000.123
MODULES = {"fastapi": "0.115.0", "sentry-sdk": "2.75.0", "anthropic": "0.40.0"}
SDK = {"name": "sentry.python.fastapi", "version": "2.75.0"}


def base(event_type: str | None = None, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": keep(EVENT_ID),
        "timestamp": keep(TS),
        "platform": "python",
        "level": "error",
        "environment": "production",
        "release": "para-autopilot@0.1.0",
        "server_name": "para-autopilot-api-7f9c",
        "sdk": SDK,
        "modules": MODULES,
        "contexts": {
            "trace": {"trace_id": TRACE_ID, "span_id": SPAN_ID, "op": "http.server"},
            "runtime": {"name": "CPython", "version": "3.11.7"},
        },
    }
    if event_type:
        event["type"] = event_type
    event.update(fields)
    return event


def frame(
    function: str, module: str, lineno: int, vars_: dict[str, Any], line: str = ""
) -> dict[str, Any]:
    return {
        "function": function,
        "module": module,
        "filename": module.replace(".", "/") + ".py",
        "abs_path": "/app/" + module.replace(".", "/") + ".py",
        "lineno": lineno,
        "in_app": True,
        "context_line": line or f"    result = {function}(payload)",
        "vars": vars_,
    }


def exception(kind: str, value: str, frames: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "values": [
            {
                "type": kind,
                "value": value,
                "module": None,
                "mechanism": {"type": "starlette", "handled": False},
                "stacktrace": {"frames": frames},
            }
        ]
    }


def asgi_scope_repr(path: str, query: str, headers: list[tuple[str, str]]) -> dict[str, Any]:
    """How the FastAPI integration's frame locals show the ASGI scope (values repr'd)."""
    return {
        "type": "'http'",
        "method": "'POST'",
        "path": repr(path),
        "query_string": repr(query.encode()),
        "headers": [[repr(k.encode()), repr(v.encode())] for k, v in headers],
        "client": ["'10.0.0.12'", "52344"],
    }


def crumb(category: str, message: str | None = None, **data: Any) -> dict[str, Any]:
    c: dict[str, Any] = {
        "type": "default",
        "category": category,
        "timestamp": TS - 1,
        "level": "info",
    }
    if message is not None:
        c["message"] = message
    if data:
        c["data"] = data
    return c


def sql_span(statement: str, system: str) -> dict[str, Any]:
    return {
        "trace_id": TRACE_ID,
        "span_id": "e5f6071829304152",
        "parent_span_id": SPAN_ID,
        "op": "db",
        "description": statement,
        "start_timestamp": TS - 2.0,
        "timestamp": TS - 1.9,
        "data": {"db.system": system},
    }


def events() -> list[dict[str, Any]]:
    login_headers = [
        ("host", "api.para-autopilot.app"),
        ("authorization", f"Bearer {JWT_USER}"),
        ("cookie", f"sb-access-token={JWT_USER}; csrftoken={CSRF}; theme=dark"),
        ("content-type", "application/x-www-form-urlencoded"),
        ("x-request-id", TASK_UUID),
    ]
    return [
        {
            "name": "login-failure-fastapi",
            "event": base(
                transaction="/api/auth/login",
                request={
                    "url": "https://api.para-autopilot.app/api/auth/login",
                    "method": "POST",
                    "query_string": f"next=%2Fdashboard&session_token={SESSION}",
                    "headers": {
                        "Host": "api.para-autopilot.app",
                        "Authorization": f"Bearer {JWT_USER}",
                        "Cookie": f"sessionid={SESSION}; csrftoken={CSRF}",
                        "X-CSRF-Token": CSRF,
                        "User-Agent": keep("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)"),
                        "X-Request-Id": TASK_UUID,
                    },
                    "data": f"email=ana%40example.com&password={LOGIN_PASSWORD}&remember_me=true",
                    "env": {"REMOTE_ADDR": "10.0.0.12"},
                },
                user={"id": USER_ID},
                exception=exception(
                    "AuthError",
                    "Invalid login credentials",
                    [
                        frame(
                            "app",
                            "starlette.middleware.errors",
                            164,
                            {
                                "scope": asgi_scope_repr(
                                    "/api/auth/login", f"session_token={SESSION}", login_headers
                                ),
                                "receive": "<function receive at 0x7f3a2c1e5d30>",
                            },
                        ),
                        frame(
                            "login",
                            "app.api.auth",
                            88,
                            {
                                "form": repr(
                                    {"email": "ana@example.com", "password": LOGIN_PASSWORD}
                                ),
                                "password": repr(LOGIN_PASSWORD),
                                "otp_code": repr(OTP),
                                "password_reset_enabled": keep("True"),
                                "attempt_count": keep(3),
                            },
                            "    session = await supabase.auth.sign_in_with_password(form)",
                        ),
                    ],
                ),
                breadcrumbs={
                    "values": [
                        crumb("auth", "Login attempt for user-123 (password_reset_enabled: true)"),
                        crumb(
                            "httplib",
                            data={
                                "url": "https://xyzcompany.supabase.co/auth/v1/token?grant_type=password",
                                "method": "POST",
                                "status_code": 400,
                                "apikey": JWT_SERVICE,
                            },
                        ),
                    ]
                },
            ),
        },
        {
            "name": "claude-call-rate-limited",
            "event": base(
                transaction="/api/inbox/classify",
                tags={
                    "endpoint": "/api/inbox/classify",
                    "model": keep("claude-3-5-sonnet-20241022"),
                },
                extra={
                    "operation": "classification",
                    "item_id": TASK_UUID,
                    "usage": {
                        "input_tokens": keep(1834),
                        "output_tokens": keep(212),
                        "cache_read_input_tokens": keep(0),
                    },
                    "token_count": keep(2046),
                    "max_tokens": keep(1024),
                    "anthropic_client": f"Anthropic(api_key='{ANTHROPIC}', max_retries=2)",
                },
                exception=exception(
                    "anthropic.RateLimitError",
                    "Error code: 429 - {'type': 'error', 'error': {'type': 'rate_limit_error'}}",
                    [
                        frame(
                            "classify_item",
                            "app.services.classifier",
                            57,
                            {
                                "self": "<app.services.classifier.Classifier object at 0x7f3a2c>",
                                "settings": {
                                    "ANTHROPIC_API_KEY": ANTHROPIC,
                                    "model": "claude-3-5-sonnet-20241022",
                                    "temperature": 0.2,
                                },
                                "headers": {
                                    "x-api-key": ANTHROPIC,
                                    "anthropic-version": "2023-06-01",
                                },
                                "prompt_title": keep(
                                    "Classify: 'Share the secret recipe with Mom'"
                                ),
                            },
                            "    response = client.messages.create(model=model, messages=msgs)",
                        )
                    ],
                ),
                breadcrumbs={
                    "values": [
                        crumb(
                            "httplib",
                            data={
                                "url": "https://api.anthropic.com/v1/messages",
                                "method": "POST",
                                "status_code": 429,
                                "reason": "Too Many Requests",
                            },
                        ),
                        crumb("anthropic", f"Retrying with key {ANTHROPIC[:70]}"),
                    ]
                },
            ),
        },
        {
            "name": "supabase-query-failed",
            "event": base(
                transaction="/api/projects",
                extra={
                    "database_url": f"postgresql://postgres:{DB_PASSWORD}@db.xyzcompany.supabase.co:5432/postgres",
                    "pool": f"host=db.xyzcompany.supabase.co user=postgres password={DB_PASSWORD} dbname=postgres",
                    "project_id": PROJECT_UUID,
                },
                exception=exception(
                    "postgrest.exceptions.APIError",
                    "{'code': 'PGRST301', 'message': 'JWT expired', 'hint': None}",
                    [
                        frame(
                            "list_projects",
                            "app.repositories.projects",
                            41,
                            {
                                "client": f"<SyncClient url='https://xyzcompany.supabase.co' key='{JWT_SERVICE}'>",
                                "supabase_key": repr(JWT_SERVICE),
                                "filters": {"owner_id": USER_ID, "status": "active"},
                            },
                        )
                    ],
                ),
            ),
        },
        {
            "name": "redis-connection-lost",
            "event": base(
                transaction="weekly_review",
                exception=exception(
                    "redis.exceptions.ConnectionError",
                    f"Error 111 connecting to redis://:{REDIS_PASSWORD}@redis.internal:6379/0. Connection refused.",
                    [
                        frame(
                            "enqueue",
                            "app.jobs.queue",
                            23,
                            {
                                "redis_url": repr(
                                    f"redis://default:{REDIS_PASSWORD}@redis.internal:6379/0"
                                ),
                                "cache_key": keep("'tasks:user-123:today'"),
                                "ttl": keep(3600),
                            },
                        )
                    ],
                ),
            ),
        },
        {
            "name": "resend-email-failed",
            "event": base(
                transaction="send_weekly_digest",
                contexts={
                    "trace": {"trace_id": TRACE_ID, "span_id": SPAN_ID, "op": "queue.task"},
                    "resend": {
                        "request_headers": {"Authorization": f"Bearer {RESEND}"},
                        "to": ["ana@example.com"],
                        "subject": keep("Your weekly review: 3 secret projects are stalled"),
                    },
                },
                exception=exception(
                    "resend.exceptions.ValidationError",
                    "API key is invalid",
                    [
                        frame(
                            "send",
                            "app.services.email",
                            30,
                            {
                                "params": {
                                    "from": "PARA <hi@para-autopilot.app>",
                                    "html": "<p>Hi</p>",
                                },
                                "key": repr(RESEND),
                            },
                        )
                    ],
                ),
            ),
        },
        {
            "name": "stripe-webhook-bad-signature",
            "event": base(
                transaction="/api/webhooks/stripe",
                request={
                    "url": "https://api.para-autopilot.app/api/webhooks/stripe",
                    "method": "POST",
                    "headers": {"Stripe-Signature": SIGNING, "Content-Type": "application/json"},
                    "data": json.dumps(
                        {
                            "id": "evt_1PmFakeEvent",
                            "type": "payment_method.attached",
                            "data": {"object": {"card": {"number": CARD, "exp_month": 12}}},
                        }
                    ),
                },
                extra={
                    "endpoint_secret": STRIPE_WH,
                    "stripe": {"client": f"StripeClient('{STRIPE}')"},
                },
                exception=exception(
                    "stripe.error.SignatureVerificationError",
                    "No signatures found matching the expected signature for payload",
                    [
                        frame(
                            "stripe_webhook",
                            "app.api.webhooks",
                            19,
                            {"sig_header": repr(SIGNING), "restricted": repr(STRIPE_RK)},
                        )
                    ],
                ),
            ),
        },
        {
            "name": "mcp-sync-job",
            "event": base(
                transaction="mcp_sync",
                level="warning",
                extra={
                    "job": {
                        "name": keep("mcp_sync"),
                        "attempt": 2,
                        "last_run": keep("2026-11-05T10:00:00Z"),
                    },
                    "remote": f"https://{GITHUB}@github.com/para-autopilot/notes.git",
                    "config": {
                        "value": GITHUB_PAT,
                        "mcp": {"server": "notion", "auth_header": f"Token {MCP_TOKEN}"},
                    },
                    "internal_ref": CUSTOM,
                },
                logentry={
                    "message": "MCP sync failed for %s after %d attempts using token %s",
                    "params": ["notion", 2, MCP_TOKEN],
                    "formatted": f"MCP sync failed for notion after 2 attempts using token {MCP_TOKEN}",
                },
            ),
        },
        {
            "name": "slack-notify-and-aws-env",
            "event": base(
                transaction="data_cleanup",
                extra={
                    "env": {
                        "AWS_ACCESS_KEY_ID": AWS_ID,
                        "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
                        "SLACK_BOT_TOKEN": SLACK,
                        "ENVIRONMENT": "production",
                        "FEATURE_PASSWORD_RESET": keep("enabled"),
                    },
                    "message": f"posting to slack with {SLACK}",
                    "s3": f"aws s3 cp ./dump s3://para-backups --profile cleanup # {AWS_ID}",
                },
                exception=exception("botocore.exceptions.ClientError", "AccessDenied", []),
            ),
        },
        {
            "name": "google-calendar-and-private-key",
            "event": base(
                transaction="calendar_sync",
                contexts={
                    "trace": {"trace_id": TRACE_ID, "span_id": SPAN_ID, "op": "queue.task"},
                    "google": {
                        "discovery_url": f"https://www.googleapis.com/calendar/v3/calendars?key={GOOGLE}&maxResults=50",
                        "service_account": {
                            "type": "service_account",
                            "private_key": PEM,
                            "client_email": "sync@para.iam.gserviceaccount.com",
                        },
                        "raw": "loaded credentials: " + PEM,
                    },
                },
                exception=exception("google.auth.exceptions.RefreshError", "invalid_grant", []),
            ),
        },
        {
            "name": "openai-fallback-and-cards",
            "event": base(
                transaction="/api/billing/upgrade",
                request={
                    "url": "https://api.para-autopilot.app/api/billing/upgrade",
                    "method": "POST",
                    "data": {
                        "plan": "pro",
                        "pm": {"brand": "mastercard", "display": CARD_SPACED},
                        "amount": keep(1200),
                    },
                },
                extra={
                    "cfg": OPENAI,
                    "note": f"charged card {CARD} ok",
                    "card_as_int": int(CARD),
                    # a Rails-style form body, brackets percent-encoded as browsers send them
                    "confirm_form": f"user%5Bname%5D=Ana&user%5Bcurrent_password%5D={FORM_PASSWORD}&commit=Upgrade",
                },
                exception=exception("ValueError", "card declined", []),
            ),
        },
        {
            "name": "weekly-review-refresh-token",
            "event": base(
                transaction="weekly_review",
                extra={
                    "oauth_response": json.dumps(
                        {
                            "access_token": JWT_USER,
                            "refresh_token": REFRESH,
                            "expires_in": 3600,
                            "token_type": "bearer",
                        }
                    ),
                    "usage_json": keep(json.dumps({"input_tokens": 1200, "output_tokens": 300})),
                    "review": {
                        "title": keep("Weekly review: secret side project"),
                        "tasks_done": keep(14),
                    },
                },
                message="Weekly review generation failed",
                exception=exception(
                    "httpx.HTTPStatusError",
                    f"Client error '401 Unauthorized' for url 'https://oauth2.googleapis.com/token?refresh_token={REFRESH}'",
                    [],
                ),
            ),
        },
        {
            "name": "capture-message-low-confidence",
            "event": base(
                level="warning",
                message={"message": "AI classification confidence low"},
                logentry={
                    "message": "AI classification confidence low for %s",
                    "params": [TASK_UUID],
                },
                contexts={
                    "trace": {"trace_id": TRACE_ID, "span_id": SPAN_ID, "op": "http.server"},
                    "context": {
                        "confidence": keep(0.3),
                        "item_id": TASK_UUID,
                        "password_reset_enabled": keep(True),
                        "secret_santa_enabled": keep(False),
                    },
                },
                tags={"auth_provider": keep("google"), "token_type": keep("bearer")},
                user={"id": USER_ID},
            ),
        },
        {
            "name": "task-crud-harmless",
            "event": base(
                transaction="/api/tasks/schedule",
                request={
                    "url": "https://api.para-autopilot.app/api/tasks/schedule?page=2&sort=due_at",
                    "method": "PUT",
                    "query_string": "page=2&sort=due_at",
                    "headers": {"Content-Type": "application/json", "X-Request-Id": TASK_UUID},
                    "data": {
                        "task": {
                            "id": TASK_UUID,
                            "title": keep("Change the wifi password at the office"),
                            "notes": keep("Ask Sam about the secret santa budget"),
                            "due_at": keep("2026-11-07T17:00:00+00:00"),
                            "project_id": PROJECT_UUID,
                            "estimated_tokens": keep(512),
                        },
                        "flags": {
                            "password_reset_enabled": keep(True),
                            "api_key_rotation_enabled": keep(False),
                        },
                    },
                },
                extra={
                    "duration_ms": keep(1762340000123),
                    "idempotency_key": keep("tasks-schedule-2026-11-05-user-123"),
                    "token_count": keep(77),
                },
                exception=exception(
                    "sqlalchemy.exc.IntegrityError",
                    'duplicate key value violates unique constraint "tasks_pkey"',
                    [],
                ),
            ),
        },
        {
            "name": "transaction-with-spans",
            "event": base(
                "transaction",
                level="info",
                transaction="/api/inbox/classify",
                start_timestamp=TS - 2.5,
                request={
                    "url": "https://api.para-autopilot.app/api/inbox/classify",
                    "method": "POST",
                    "headers": {
                        "Authorization": f"Bearer {JWT_USER}",
                        "Content-Type": "application/json",
                    },
                    "query_string": f"access_token={JWT_USER}",
                },
                spans=[
                    {
                        "trace_id": TRACE_ID,
                        "span_id": "a1b2c3d4e5f60718",
                        "parent_span_id": SPAN_ID,
                        "op": "db",
                        "description": keep(
                            "SELECT id, title FROM tasks WHERE owner_id = $1 AND status = $2"
                        ),
                        "start_timestamp": TS - 2.4,
                        "timestamp": TS - 2.3,
                        "data": {
                            "db.system": "postgresql",
                            "db.params": [USER_ID, "active"],
                            "db.connection": f"postgres://app:{DB_PASSWORD}@db.xyzcompany.supabase.co/postgres",
                        },
                    },
                    {
                        "trace_id": TRACE_ID,
                        "span_id": "b2c3d4e5f6071829",
                        "parent_span_id": SPAN_ID,
                        "op": "http.client",
                        "description": f"POST https://api.resend.com/emails?api_key={RESEND}",
                        "start_timestamp": TS - 2.2,
                        "timestamp": TS - 1.1,
                        "data": {
                            "http.request.method": "POST",
                            "http.query": f"api_key={RESEND}",
                            "http.response.status_code": 200,
                        },
                    },
                    {
                        "trace_id": TRACE_ID,
                        "span_id": "c3d4e5f607182930",
                        "parent_span_id": SPAN_ID,
                        "op": "ai.chat_completions.create.anthropic",
                        "description": keep("Claude: classify inbox item"),
                        "start_timestamp": TS - 1.0,
                        "timestamp": TS - 0.1,
                        "data": {
                            "gen_ai.usage.input_tokens": keep(1834),
                            "gen_ai.usage.output_tokens": keep(212),
                            "gen_ai.request.model": "claude-3-5-sonnet-20241022",
                            "http.headers": [
                                ["x-api-key", ANTHROPIC],
                                ["anthropic-version", "2023-06-01"],
                            ],
                        },
                    },
                    {
                        "trace_id": TRACE_ID,
                        "span_id": "d4e5f60718293041",
                        "parent_span_id": SPAN_ID,
                        "op": "cache.get",
                        "description": f"AUTH default {REDIS_PASSWORD}; GET tasks:user-123",
                        "start_timestamp": TS - 0.1,
                        "timestamp": TS - 0.05,
                        "data": {
                            "cache.key": keep(["tasks:user-123:today"]),
                            "cache.hit": keep(True),
                            "network.peer.address": f"redis://:{REDIS_PASSWORD}@redis.internal:6379",
                        },
                    },
                ],
                contexts={
                    "trace": {
                        "trace_id": TRACE_ID,
                        "span_id": SPAN_ID,
                        "op": "http.server",
                        "status": "ok",
                        "data": {"http.query": f"access_token={JWT_USER}"},
                    },
                },
            ),
        },
        {
            "name": "background-job-breadcrumbs",
            "event": base(
                transaction="data_cleanup",
                breadcrumbs={
                    "values": [
                        crumb("log", f"Connecting to Supabase with key {JWT_SERVICE}"),
                        crumb("log", "Token validation failed for user-123; will retry"),
                        crumb(
                            "httplib",
                            data={
                                "url": f"https://api.github.com/repos/para/notes?access_token={GITHUB}",
                                "method": "GET",
                                "status_code": 200,
                            },
                        ),
                        crumb(
                            "query",
                            "UPDATE users SET password_hash = $1 WHERE id = $2",
                            params=[f"$2b$12${LOGIN_PASSWORD}", USER_ID],
                        ),
                        crumb(
                            "log",
                            "Stripe retry",
                            data={"headers": {"Authorization": f"Basic {STRIPE}"}},
                        ),
                        crumb(
                            "log",
                            "cleanup finished",
                            data={"deleted": keep(42), "cutoff": keep("2026-10-05T00:00:00Z")},
                        ),
                    ]
                },
                message="Data cleanup finished with warnings",
                level="warning",
            ),
        },
        {
            "name": "sql-credentials-any-dialect",
            "event": base(
                "transaction",
                level="info",
                transaction="/api/admin/provision",
                start_timestamp=TS - 2.5,
                spans=[
                    sql_span(
                        f"ALTER ROLE reporting WITH ENCRYPTED PASSWORD '{SQL_PG}' VALID UNTIL 'infinity'",
                        "postgresql",
                    ),
                    sql_span(
                        f"CREATE USER app_ro WITH LOGIN PASSWORD '{SQL_PG_USER}'", "postgresql"
                    ),
                    sql_span(f"ALTER USER app PASSWORD $pw${SQL_PG_DOLLAR}$pw$", "postgresql"),
                    sql_span(
                        f"CREATE USER MAPPING FOR app SERVER legacy OPTIONS (user 'legacy', password '{SQL_PG_MAPPING}')",
                        "postgresql",
                    ),
                    sql_span(
                        f"SELECT * FROM dblink('host=legacy.internal user=app password={SQL_DBLINK} dbname=para', 'SELECT id FROM tasks') AS t(id int)",
                        "postgresql",
                    ),
                    sql_span(
                        f"SELECT migrate_from('postgresql://legacy:{SQL_URI}@legacy.internal:5432/para')",
                        "postgresql",
                    ),
                    sql_span(
                        f"CREATE USER 'app'@'%' IDENTIFIED WITH caching_sha2_password BY '{SQL_MYSQL}'",
                        "mysql",
                    ),
                    sql_span(
                        f"SET PASSWORD FOR 'app'@'localhost' = PASSWORD('{SQL_MYSQL_SET}')", "mysql"
                    ),
                    sql_span(
                        f"GRANT SELECT ON para.* TO 'report'@'%' IDENTIFIED BY '{SQL_MYSQL_GRANT}'",
                        "mysql",
                    ),
                    sql_span(
                        f"CREATE LOGIN app WITH PASSWORD = '{SQL_MSSQL}', CHECK_POLICY = OFF",
                        "mssql",
                    ),
                    sql_span(
                        f"ALTER USER scott IDENTIFIED BY {SQL_ORACLE} ACCOUNT UNLOCK", "oracle"
                    ),
                    sql_span(f"CONNECT scott/{SQL_ORACLE_CONNECT}@orcl", "oracle"),
                    sql_span(f"PRAGMA key = '{SQL_SQLITE}'", "sqlite"),
                    sql_span(f"SELECT id FROM users WHERE email = '{EMAIL_2}'", "postgresql"),
                    sql_span(
                        keep(
                            "SELECT id, email_verified FROM users WHERE password_reset_enabled = true AND id = $1"
                        ),
                        "postgresql",
                    ),
                    sql_span(keep("ALTER USER app PASSWORD NULL"), "postgresql"),
                    sql_span(keep("ALTER ROLE reporting VALID UNTIL 'infinity'"), "postgresql"),
                    sql_span(
                        keep("CREATE INDEX CONCURRENTLY idx_users_email ON users (email)"),
                        "postgresql",
                    ),
                ],
                contexts={
                    "trace": {
                        "trace_id": TRACE_ID,
                        "span_id": SPAN_ID,
                        "op": "http.server",
                        "status": "ok",
                    },
                },
            ),
        },
        {
            "name": "generic-credential-names",
            "event": base(
                transaction="/api/checkout",
                extra={
                    "gateway_key": GATEWAY_KEY,
                    "publishable_key": PUBLISHABLE_KEY,
                    "shipping_config": f"provider: acme\ngateway_key: {GATEWAY_KEY_TEXT}\nretries: 3",
                    "cache_key": keep("user:123:profile"),
                    "idempotency_key": keep("checkout-2026-11-05-user-123"),
                    "lookup_key": keep("5d41402abc4b2a76b9719d911017c592"),
                    "sort_key": keep("created_at"),
                    "object_key": keep("uploads/2026/11/avatar.png"),
                },
                contexts={
                    "trace": {"trace_id": TRACE_ID, "span_id": SPAN_ID, "op": "http.server"},
                    "deploy": {
                        "etag": keep('"33a64df551425fcc55e4d42a148795d9f25f89d4"'),
                        "commit_sha": keep("9fceb02d0ae598e95dc970b74767f19372d61af8"),
                        "request_id": keep("3f2c8a9e-5b1d-4c7e-9a0f-6d2b8e4c1a73"),
                    },
                    "partner": {
                        "partner_key": PARTNER_KEY,
                        "oauth_response": {
                            "expires_in": keep(3600),
                            "scope": keep("openid email profile"),
                            "token_type": keep("Bearer"),
                        },
                    },
                },
                breadcrumbs={
                    "values": [
                        crumb(
                            "config",
                            f"partner config loaded: partner_key={PARTNER_KEY_TEXT} region=eu",
                        ),
                        crumb("log", keep("preferences saved: theme=dark lang=en")),
                    ]
                },
                exception=exception("acme.GatewayError", "gateway rejected the key", []),
            ),
        },
        {
            "name": "pii-in-free-text",
            "event": base(
                transaction="/api/auth/password-reset",
                request={
                    "url": "https://api.para-autopilot.app/api/auth/password-reset",
                    "method": "GET",
                    "query_string": f"email={EMAIL_2_QUERY}&lang=en",
                },
                user={"id": USER_ID, "email": keep("owner@para-autopilot.app")},
                logentry={
                    "message": "Password reset requested by %s from %s",
                    "params": [EMAIL_2, IP_V4],
                    "formatted": f"Password reset requested by {EMAIL_2} from {IP_V4}",
                },
                contexts={
                    "trace": {"trace_id": TRACE_ID, "span_id": SPAN_ID, "op": "http.server"},
                    "app": {"app_version": keep("1.2.3.4"), "build": keep("2026.11.05.1")},
                },
                breadcrumbs={
                    "values": [
                        crumb("http", f"GET /api/users?email={EMAIL_2_QUERY} from {IP_V6}"),
                        crumb(
                            "log", keep("reset link expires at 2026-11-05T10:30:00Z (in 1800 s)")
                        ),
                        crumb(
                            "log",
                            keep("server listening on 0.0.0.0:8000, health on 127.0.0.1:8001"),
                        ),
                        crumb("log", keep("scheduled retry at 12:30:00 for release 2.10.0.1")),
                    ]
                },
                exception=exception(
                    "app.errors.PaymentDeclined",
                    f"card {CARD_VISA} declined for {EMAIL_2} (client {IP_V4})",
                    [],
                ),
            ),
        },
        {
            "name": "custom-sensitive-field",
            "event": base(
                transaction="/api/admin/report",
                extra={
                    "internal_ref": CUSTOM,
                    "report": {"id": keep("rpt-2026-11"), "rows": keep(120)},
                },
                message="Admin report generated",
                level="info",
            ),
        },
    ]


def build() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    corpus = events()
    kinds = {value: kind for value, kind in _secrets}
    manifest_secrets: list[dict[str, Any]] = []
    manifest_keep: list[dict[str, Any]] = []
    keep_set = {json.dumps(v) for v in _keeps}
    for item in corpus:
        for path, leaf in leaves(item["event"]):
            text = str(leaf) if not isinstance(leaf, str) else leaf
            for value, kind in kinds.items():
                if value in text:
                    manifest_secrets.append(
                        {
                            "event": item["name"],
                            "path": format_path(path),
                            "kind": kind,
                            "value": value,
                        }
                    )
            if json.dumps(leaf) in keep_set or (
                isinstance(leaf, list) and json.dumps(leaf) in keep_set
            ):
                manifest_keep.append(
                    {"event": item["name"], "path": format_path(path), "value": leaf}
                )
    manifest = {
        "description": "Planted fake secrets (must not survive) and harmless values (must survive) in events.json",
        "sensitive_fields": ["internal_ref"],
        "secrets": manifest_secrets,
        "harmless": manifest_keep,
    }
    return corpus, manifest


def main() -> None:
    corpus, manifest = build()
    (CORPUS_DIR / "events.json").write_text(json.dumps(corpus, indent=1) + "\n")
    (CORPUS_DIR / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(
        f"{len(corpus)} events, {len(manifest['secrets'])} planted secrets, {len(manifest['harmless'])} harmless values"
    )


if __name__ == "__main__":
    main()

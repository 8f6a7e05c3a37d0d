"""Production-shape smoke test: the docker-compose.yml stack run outside containers, checked end to end.

    .venv/bin/python .ci/smoke_production.py --database-url postgres://postgres@127.0.0.1:5432/duban_smoke \
        --redis-url redis://127.0.0.1:6379/13

(or `bash .ci/smoke_production.sh`, which CI runs). The database is dropped and created again and the
Redis database flushed: give it ones nothing else uses.

What it reads from docker-compose.yml, so the smoke runs what compose runs:
  - the `command` of `web`, `worker` and `beat`, run as they are (only web's `--bind 0.0.0.0:8000`
    becomes a free loopback port);
  - the environment of the `x-app` anchor (DJANGO_SETTINGS_MODULE=config.settings.production, the
    broker, EMAIL_URL, MEDIA_ROOT …) with `${VAR:-default}` resolved against an operator's `.env`
    (.env.example plus the values an operator must set), then the compose service hosts mapped to
    loopback: db → the given database, redis → the given Redis database, mail → a local SMTP sink
    (aiosmtpd, in this process). MEDIA_ROOT goes to a temporary folder.
The processes get that environment and nothing from the caller's (PATH starts with .venv/bin, as the
image's PATH has its Python).

Then, end to end: the plan and a small demo register are loaded with manage.py; a unit login's API
token submits a progress report through gunicorn (behind a TLS proxy: X-Forwarded-Proto https);
the supervision task is sent to the worker (`celery call`) and its run checked in the database; the
digest task is sent to the worker and the digests checked in the SMTP sink against the delivery
ledger; beat (database scheduler) runs `notifications.send_webhooks` from a periodic task added for
the smoke, and a local listener receives the report's event with a valid signature. Every process is
stopped at the end, also on failure; the exit status is non-zero on any failure.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import psycopg
import yaml
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
HOST = "duban.example.gov.cn"  # the operator's ALLOWED_HOSTS; requests carry it as their Host header
AS_OF = "2023-08-10"  # supervision and digests run at this date (the register is seeded through June)
REPORT_DATE = "2023-07-31"
WAIT = 120  # seconds any one step may take


class SmokeFailure(Exception):
    pass


def log(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, check, timeout: float = WAIT, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")


# --- The compose file ---------------------------------------------------------------------------------


def substitute(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message} against the operator's .env."""

    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        current = env.get(name, "")
        if op == ":-":
            return current or arg
        if op == ":?" and not current:
            raise SmokeFailure(f"compose needs {name}: {arg}")
        return current

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def dotenv(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def compose_stack(args, smtp_port: int, media: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    app = compose["x-app"]
    if app.get("env_file") != ".env":
        raise SmokeFailure(f"x-app's env_file changed ({app.get('env_file')!r}): update the smoke test")
    # An operator's .env: .env.example with what it tells them to set.
    operator = dotenv(ROOT / ".env.example")
    operator.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        POSTGRES_PASSWORD="smoke-only-not-a-secret",
    )
    env = dict(operator)
    for key, value in app["environment"].items():
        env[key] = substitute(str(value), operator)

    # Compose's service hosts → loopback. Anything else naming a service would reach nothing: refuse it.
    redis = urllib.parse.urlsplit(args.redis_url)
    for key, value in list(env.items()):
        parts = urllib.parse.urlsplit(value) if "://" in value else None
        if parts is None or parts.hostname not in compose["services"]:
            continue
        if parts.hostname == "db":
            env[key] = args.database_url
        elif parts.hostname == "redis":
            env[key] = urllib.parse.urlunsplit(parts._replace(netloc=redis.netloc, path=redis.path))
        elif parts.hostname == "mail":
            env[key] = urllib.parse.urlunsplit(parts._replace(netloc=f"127.0.0.1:{smtp_port}"))
        else:
            raise SmokeFailure(f"{key} names compose service {parts.hostname!r}, which the smoke test does not run")
    env["MEDIA_ROOT"] = str(media)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    env["HOME"] = os.environ.get("HOME", "/tmp")
    env["LANG"] = "C.UTF-8"
    env["PYTHONUNBUFFERED"] = "1"  # as the Dockerfile sets
    env["DUBAN_ENV_FILE"] = ""  # the environment above is the .env: never the work tree's own
    # The webhook listener is on loopback: allowed explicitly, as an intranet deployment lists its
    # subscribers' addresses (outgoing requests go nowhere else; docs/security.md).
    env["DUBAN_OUTGOING_ALLOW"] = "127.0.0.1/32"

    commands = {name: list(compose["services"][name]["command"]) for name in ("web", "worker", "beat")}
    web = commands["web"]
    bound = [i for i, part in enumerate(web) if "--bind 0.0.0.0:8000" in part]
    if len(bound) != 1:
        raise SmokeFailure("web's command no longer binds 0.0.0.0:8000: update the smoke test")
    env["SMOKE_WEB_PORT"] = str(free_port())
    web[bound[0]] = web[bound[0]].replace("--bind 0.0.0.0:8000", f"--bind 127.0.0.1:{env['SMOKE_WEB_PORT']}")
    return env, commands


# --- The local ends: an SMTP sink and a webhook listener ----------------------------------------------


class Sink:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd calls it by this name
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


class Listener(http.server.ThreadingHTTPServer):
    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        super().__init__(("127.0.0.1", 0), Hook)


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


# --- Processes --------------------------------------------------------------------------------------


class Stack:
    def __init__(self, env: dict[str, str], logs: Path):
        self.env, self.logs = env, logs
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> None:
        log(f"start {name}: {shlex.join(command)}")
        out = (self.logs / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise SmokeFailure(f"{name} exited with status {proc.returncode}")

    def run(self, *command: str) -> str:
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=WAIT)
        if done.returncode != 0:
            raise SmokeFailure(f"{shlex.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def manage(self, *args: str) -> str:
        return self.run("python", "manage.py", *args)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop on SIGTERM within 30 s: killing it")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        still = [name for name, proc in self.procs.items() if proc.poll() is None]
        if still:
            raise SmokeFailure(f"still running: {still}")
        log("every process stopped: " + ", ".join(f"{n} ({p.returncode})" for n, p in self.procs.items()))

    def tail(self) -> None:
        for path in sorted(self.logs.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-40:]
            print(f"--- {path.name} (last {len(lines)} lines) ---", file=sys.stderr)
            print("\n".join(lines), file=sys.stderr)


def api(port: str, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Host": HOST,
            "X-Forwarded-Proto": "https",  # the TLS proxy compose expects in front of web
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode(errors="replace")[:2000]}


# Runs in `manage.py shell` under the production settings: the logins, the subscriber, the beat entry.
SETUP = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from notifications.models import WebhookSubscriber
from projects.models import Project
from targets.models import Person, ProgressReport

project = Project.objects.filter(is_demo=True, reports__as_of="2023-06-30").order_by("code").first()
june = ProgressReport.objects.get(item=project, as_of="2023-06-30")
users = get_user_model().objects
unit = users.create_user("smoke-unit", password=None, is_staff=True)
unit.groups.add(Group.objects.get(name=settings.DUBAN_UNIT_REPORTER_GROUP))
Person.objects.create(user=unit, name="冒烟测试填报员", department=project.lead_department)
staff = users.create_user("smoke-staff", email="smoke-staff@example.invalid", password=None, is_staff=True)
staff.groups.add(Group.objects.get(name=settings.DUBAN_BUREAU_STAFF_GROUP))
WebhookSubscriber.objects.create(name="smoke", url=URL, secret=SECRET, events=["report_submitted"])
every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.create(name="smoke: send_webhooks every 2 s", task="notifications.send_webhooks", interval=every)
print(json.dumps({"project": project.pk, "code": project.code, "june": str(june.value)}))
"""


def smoke(args) -> None:
    media = Path(tempfile.mkdtemp(prefix="duban-smoke-media-"))
    logs = Path(tempfile.mkdtemp(prefix="duban-smoke-logs-"))
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    listener = Listener()
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    env, commands = compose_stack(args, smtp.port, media)
    shown = {k: v for k, v in env.items() if k not in ("SECRET_KEY", "POSTGRES_PASSWORD", "PATH", "HOME", "LANG")}
    log(f"environment from docker-compose.yml (x-app), services on loopback: {json.dumps(shown, ensure_ascii=False)}")

    # A fresh database and an empty broker.
    db = urllib.parse.urlsplit(args.database_url)
    name = db.path.lstrip("/")
    with psycopg.connect(urllib.parse.urlunsplit(db._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    redis = urllib.parse.urlsplit(args.redis_url)
    subprocess.run(
        ["redis-cli", "-h", redis.hostname, "-p", str(redis.port or 6379), "-n", redis.path.lstrip("/") or "0", "flushdb"],
        check=True,
        capture_output=True,
    )

    stack = Stack(env, logs)
    try:
        port = env["SMOKE_WEB_PORT"]
        stack.start("web", commands["web"])  # migrate, collectstatic, then gunicorn (as compose's web does)

        def healthy():
            stack.alive()
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST})
                return urllib.request.urlopen(request, timeout=5).status == 200
            except OSError:
                return False

        wait_for("web to answer /healthz (after migrate and collectstatic)", healthy, timeout=240)
        log("web is healthy")

        # The plan (demo logins are refused: DEBUG is off), then a small demo register.
        log(next(line for line in stack.manage("setup_demo").splitlines() if line.startswith("plan_2023")))
        stack.manage("seed_demo", "--projects", "30", "--seed", "1", "--through", "2023-06")
        secret = secrets.token_hex(16)
        url = f"http://127.0.0.1:{listener.server_address[1]}/duban-events"
        setup = f"URL = {url!r}\nSECRET = {secret!r}\n" + SETUP
        facts = json.loads(stack.manage("shell", "-c", setup).strip().splitlines()[-1])
        token = stack.manage("issue_token", "smoke-unit", "--name", "smoke").strip()

        stack.start("worker", commands["worker"])
        stack.start("beat", commands["beat"])

        # 1. A progress report through the API, as the unit's login.
        value = str(round(float(facts["june"]) + 123.4, 2))
        status, body = api(
            port,
            "POST",
            "/api/v1/progress-reports/",
            token,
            {"project": facts["project"], "as_of": REPORT_DATE, "value": value, "note": "冒烟测试：7月进度"},
        )
        if status != 201:
            raise SmokeFailure(f"POST /api/v1/progress-reports/ answered {status}: {body}")
        log(f"progress report {body['id']} for {facts['code']} created through the API: {value} 万元 as of {REPORT_DATE}")
        status, listed = api(port, "GET", f"/api/v1/progress-reports/?project={facts['project']}&as_of={REPORT_DATE}", token)
        if status != 200 or [r["id"] for r in listed["results"]] != [body["id"]]:
            raise SmokeFailure(f"the report is not listed back: {status} {listed}")

        conn = psycopg.connect(args.database_url, autocommit=True)

        def one(sql: str, *params):
            return conn.execute(sql, params).fetchone()[0]

        def worker_ready():
            stack.alive()
            done = subprocess.run(
                ["celery", "-A", "config", "inspect", "ping", "--timeout", "5"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            return done.returncode == 0 and "pong" in done.stdout

        wait_for("the worker to answer a ping", worker_ready)

        # 2. The supervision task, through the broker to the worker.
        kwargs = json.dumps({"as_of": AS_OF, "plan": 2023})
        stack.run("celery", "-A", "config", "call", "targets.supervise", "--kwargs", kwargs)
        wait_for(
            "the worker's supervision run",
            lambda: stack.alive() or one("SELECT count(*) FROM targets_supervisionrun WHERE as_of = %s", AS_OF),
        )
        snapshot = one("SELECT status FROM targets_statussnapshot WHERE item_id = %s AND date = %s", facts["project"], AS_OF)
        findings = one("SELECT count(*) FROM targets_finding")
        log(f"supervision ran in the worker: {facts['code']} is {snapshot} on {AS_OF}; {findings} findings open")
        if not snapshot or not findings:
            raise SmokeFailure("the supervision run wrote no snapshot for the reported project, or no findings")

        # 3. The digests, through the worker to the SMTP sink. A dry run first says who gets one.
        planned = stack.manage("send_digests", "--as-of", AS_OF, "--dry-run").splitlines()[:-1]
        expected = sum(1 for line in planned if "无法送达" not in line)
        if not expected or not any("smoke-staff@example.invalid" in line for line in planned):
            raise SmokeFailure(f"the dry run plans no digest for the staff login: {planned}")
        stack.run("celery", "-A", "config", "call", "notifications.send_digests", "--kwargs", json.dumps({"as_of": AS_OF}))
        kinds = ("digest_unit", "digest_leader", "digest_staff")

        def digests_settled():
            stack.alive()
            pending = one("SELECT count(*) FROM notifications_delivery WHERE kind = ANY(%s) AND status = 'pending'", list(kinds))
            sent = one("SELECT count(*) FROM notifications_delivery WHERE kind = ANY(%s) AND status = 'sent'", list(kinds))
            return sent if sent >= expected and not pending and len(sink.messages) >= sent else 0

        sent = wait_for("the digests to reach the SMTP sink", digests_settled)
        failed = one("SELECT count(*) FROM notifications_delivery WHERE status = 'failed'")
        staff_mail = [content for rcpt, content in sink.messages if "smoke-staff@example.invalid" in rcpt]
        if failed or not sent == expected == len(sink.messages) or len(staff_mail) != 1:
            raise SmokeFailure(
                f"digests: ledger sent {sent}, failed {failed}; the sink got {len(sink.messages)}, "
                f"{len(staff_mail)} for the staff login"
            )
        staff_digest = email.message_from_bytes(staff_mail[0], policy=email.policy.default)
        parts = {part.get_content_type() for part in staff_digest.walk()}
        if "周报" not in staff_digest["Subject"] or not {"text/plain", "text/html"} <= parts:
            raise SmokeFailure(f"the staff digest does not look like one: {staff_digest['Subject']!r}, parts {parts}")
        log(f"digests: {sent} sent by the worker and received by the SMTP sink; staff got “{staff_digest['Subject'].strip()}”")

        # 4. Beat's database scheduler runs send_webhooks; the listener gets the report's event, signed.
        def event_received():
            stack.alive()
            return [(h, b) for h, b in listener.received if h.get("X-Duban-Event") == "report_submitted"]

        (headers, raw), *more = wait_for("beat → worker → the webhook listener", event_received)
        if more:
            raise SmokeFailure(f"the report's event arrived {1 + len(more)} times")
        expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        event = json.loads(raw)
        if not hmac.compare_digest(headers.get("X-Duban-Signature", ""), expected):
            raise SmokeFailure("the webhook's signature does not match its body")
        if event["data"]["id"] != body["id"] or Decimal(event["data"]["value"]) != Decimal(value):
            raise SmokeFailure(f"the webhook carries another report: {event}")
        log(f"webhook: report_submitted for report {body['id']} received, signature valid (event {event['id']})")
        conn.close()
    except BaseException:
        stack.tail()
        raise
    finally:
        try:
            stack.stop()
        finally:
            smtp.stop()
            listener.shutdown()
            listener.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="A PostgreSQL database to drop and create again.")
    parser.add_argument("--redis-url", required=True, help="A Redis database to flush and use as the broker.")
    args = parser.parse_args()
    started = time.monotonic()
    try:
        smoke(args)
    except SmokeFailure as exc:
        log(f"FAILED: {exc}")
        return 1
    log(f"PASSED in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load-test the v1 API: gunicorn on loopback against a large register, locust as the client.

Run by hand (needs the QA venv, `make venv-qa`) against a migrated PostgreSQL database filled by
seed_demo and supervised (the figures in README.md come from `seed_demo --projects 100000 --seed 1`
with plan 2023 and a supervision run on 2023-07-10):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_seed .venv/bin/python benchmarks/api.py

It runs `VACUUM ANALYZE` on the tables the API reads (autovacuum may be off on a seeded database),
issues a token for a throwaway login `api-bench` (revoked at the end), starts gunicorn with the
production worker settings (config/gunicorn_conf.py: 2 gthread workers × 4 threads, keep-alive) on
a free loopback port (production-like: DEBUG off, no throttling, no access log), and runs locust
headless for --duration seconds with --users concurrent clients and no think time. Each client
picks one of the endpoints below at random: 50-row pages (page 1–20) of projects, goals and
findings, and the detail of a random project, goal or finding. It prints p50/p95 and requests per
second for each endpoint and in total, the load average before and after (other processes on
the machine skew the figures), and the CPU per request of the gunicorn processes, of this
database's PostgreSQL backends and of locust (from /proc: it varies far less with the machine's
other load than req/s does). The goal: p50 <= 30 ms for a 50-row page, >= 200 req/s.

--worker-class sync / --threads N compare other worker models with the production one.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/duban_seed"
ANALYZED = (
    "targets_trackeditem", "targets_target", "projects_project", "targets_statussnapshot", "targets_supervisionrun",
    "targets_finding", "targets_finding_cooperating_departments", "targets_apitoken",
)  # fmt: skip

LOCUSTFILE = """
import json, random
from locust import FastHttpUser, task

IDS = json.loads({ids!r})
HEADERS = {{"Authorization": "Token {token}"}}


class Client(FastHttpUser):
    def get(self, url, name):
        self.client.get(url, headers=HEADERS, name=name)

    @task
    def projects_page(self):
        self.get(f"/api/v1/projects/?page={{random.randint(1, IDS['project_pages'])}}", "GET /api/v1/projects/ (50 rows)")

    @task
    def targets_page(self):
        self.get(f"/api/v1/targets/?page={{random.randint(1, IDS['target_pages'])}}", "GET /api/v1/targets/ (50 rows)")

    @task
    def findings_page(self):
        self.get(f"/api/v1/findings/?page={{random.randint(1, IDS['finding_pages'])}}", "GET /api/v1/findings/ (50 rows)")

    @task
    def project_detail(self):
        self.get(f"/api/v1/projects/{{random.choice(IDS['projects'])}}/", "GET /api/v1/projects/{{id}}/")

    @task
    def target_detail(self):
        if IDS["targets"]:
            self.get(f"/api/v1/targets/{{random.choice(IDS['targets'])}}/", "GET /api/v1/targets/{{id}}/")

    @task
    def finding_detail(self):
        self.get(f"/api/v1/findings/{{random.choice(IDS['findings'])}}/", "GET /api/v1/findings/{{id}}/")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DUBAN_ENV_FILE", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(sample: int, max_pages: int) -> tuple[str, dict, object]:
    """ANALYZE, issue a token, and pick the ids and page ranges the clients ask for."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from projects.models import Project
    from targets.models import ApiToken, Finding, Target

    with connection.cursor() as cursor:
        for table in ANALYZED:
            cursor.execute(f"VACUUM ANALYZE {table}")
    user, _ = get_user_model().objects.get_or_create(username="api-bench", defaults={"is_active": True})
    token, key = ApiToken.issue(user, name="benchmarks/api.py")
    rng = random.Random(1)

    def ids(model) -> list[int]:
        pks = list(model.objects.order_by().values_list("pk", flat=True))
        return rng.sample(pks, min(sample, len(pks)))

    def pages(model) -> int:
        return max(1, min(max_pages, -(-model.objects.count() // 50)))

    chosen = {
        "projects": ids(Project),
        "targets": ids(Target),
        "findings": ids(Finding),
        "project_pages": pages(Project),
        "target_pages": pages(Target),
        "finding_pages": pages(Finding),
    }
    counts = {"projects": Project.objects.count(), "goals": Target.objects.count(), "findings": Finding.objects.count()}
    print("register:", ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    if not chosen["projects"] or not chosen["findings"]:
        sys.exit("The database holds no projects or no findings: run seed_demo and supervise first.")
    return key, chosen, token


def start_gunicorn(port: int, workers: int, threads: int, worker_class: str) -> subprocess.Popen:
    env = {**os.environ, "DUBAN_API_RATE": "100000000/hour"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", "config/gunicorn_conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", worker_class,
         # More than one thread turns a sync worker into gthread.
         "--threads", str(threads if worker_class == "gthread" else 1),
         "--error-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/", timeout=5)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer within 30 s")


def run_locust(port: int, key: str, ids: dict, users: int, duration: int, workdir: Path) -> Path:
    import json

    locustfile = workdir / "locustfile.py"
    locustfile.write_text(LOCUSTFILE.format(ids=json.dumps(ids), token=key))
    locust = ROOT / ".venv-qa/bin/locust"
    if not locust.exists():
        sys.exit(f"{locust} is missing: run `make venv-qa` first.")
    subprocess.run(
        [str(locust), "-f", str(locustfile), "--headless", "--host", f"http://127.0.0.1:{port}", "-u", str(users),
         "-r", str(users), "-t", f"{duration}s", "--csv", str(workdir / "run"), "--only-summary", "--loglevel", "WARNING"],
        cwd=workdir, check=True,
    )  # fmt: skip
    return workdir / "run_stats.csv"


def cpu_seconds(pids: set[int]) -> float:
    """User + system CPU used so far by these processes, all their threads (Linux /proc; 0 once gone)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> set[int]:
    """gunicorn's master and its workers."""
    pids = {master}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.add(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return pids


def backend_pids() -> set[int]:
    """PostgreSQL backends connected to the benchmark's database, except this script's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return {pid for (pid,) in cursor.fetchall()}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(stats_csv: Path) -> int:
    """Print the table; return the number of requests."""
    rows = list(csv.DictReader(stats_csv.open()))
    print()
    print(f"{'endpoint':<36} {'requests':>9} {'failures':>8} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>8}")
    for row in rows:
        name = row["Name"] if row["Type"] else "total"
        print(
            f"{name:<36} {int(row['Request Count']):>9,} {int(row['Failure Count']):>8} {row['50%']:>7} {row['95%']:>7}"
            f" {float(row['Requests/s']):>8.1f}"
        )
    return int(rows[-1]["Request Count"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--duration", type=int, default=30, help="seconds of load (default 30)")
    parser.add_argument("--users", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"], help="default gthread")
    parser.add_argument("--max-pages", type=int, default=20, help="clients read pages 1..N of each list (default 20)")
    args = parser.parse_args()

    setup_django(args.database_url)
    key, ids, token = prepare(sample=1000, max_pages=args.max_pages)
    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads, args.worker_class)
    workers = f"{args.workers} {args.worker_class} workers" + (
        f" × {args.threads} threads" if args.worker_class == "gthread" else ""
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"locust: {args.users} users, {args.duration} s, gunicorn {workers} on 127.0.0.1:{port}")
            print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            # CPU per request does not depend on what else runs on the machine as much as req/s does.
            gunicorn, backends = server_pids(server.pid), backend_pids()
            before = cpu_seconds(gunicorn), cpu_seconds(backends), children_cpu()
            requests = report(run_locust(port, key, ids, args.users, args.duration, Path(tmp)))
            backends |= backend_pids()  # threads open their connections during the run
            used = [cpu_seconds(gunicorn) - before[0], cpu_seconds(backends) - before[1], children_cpu() - before[2]]
            print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            if requests:
                gunicorn_ms, postgres_ms, locust_ms = (1000 * seconds / requests for seconds in used)
                print(
                    f"CPU per request: gunicorn {gunicorn_ms:.2f} ms, PostgreSQL {postgres_ms:.2f} ms, locust {locust_ms:.2f} ms"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        token.delete()


if __name__ == "__main__":
    main()

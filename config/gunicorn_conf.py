"""gunicorn settings of the web process: `gunicorn config.wsgi -c config/gunicorn_conf.py`.

Used by the Dockerfile, docker-compose.yml and benchmarks/api.py, so the benchmark measures the
worker model production runs. Command-line options (--bind, --access-logfile …) win over these.

Threaded workers (gthread): a client's connection stays open between requests (a sync worker
closes every one, and integrations polling the API pay a new connection per call: in
benchmarks/api.py, 2 sync workers gave 163 req/s where 2 gthread workers gave 226–245 on the same
busy machine), and a slow request (an export, an import preview) holds one thread, not a whole
process. More threads than this cost a little CPU per request in GIL hand-offs (2 threads measured
5–7 % more req/s than 4 on 2 cores). Each thread keeps its own database connection
(CONN_MAX_AGE): workers × threads connections.
"""

from __future__ import annotations

import os

wsgi_app = "config.wsgi"
bind = "0.0.0.0:8000"
worker_class = "gthread"
# WEB_CONCURRENCY is gunicorn's own name for the process count; one per core is the start point.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Seconds an idle client connection stays open (the reverse proxy and load generators reuse it).
keepalive = 5
timeout = 120
# The workers' heartbeat files: on tmpfs, not on a container's overlay disk, where a slow write can
# look like a hung worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

"""The WSGI server processes the HTTP benches start (intake, routing, lookup): a free port, the
process with its log, a readiness probe, the CPU its workers used, a clean stop — and the CPU of the
PostgreSQL processes on this host for context."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from bench import common


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu(pid):
    """utime+stime seconds of one process (all threads); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu():
    """utime+stime seconds of every process called postgres on this host (all databases: context
    only on a shared server; backends that exit during a round are lost)."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if Path(entry.path, "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue
        total += proc_cpu(entry.name)
    return total


def gunicorn_argv(port, *, workers, threads, extra=()):
    """gunicorn (gthread) serving config.wsgi:application on 127.0.0.1:`port`."""
    return [
        str(Path(common.PYTHON).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "75",
        "--log-level",
        "warning",
        *extra,
    ]


class WsgiServer:
    """A server process under test. Subclasses pick the port (`free_port()`), build the command and
    call `start`; `ready_path` answers 200 once the application is loaded."""

    name = "server"
    ready_path = "/healthz/"
    count_master_cpu = False  # granian's main process works too; gunicorn's arbiter does not

    def start(self, argv, *, env, log_name):
        self.argv = argv
        self.log = open(log_name, "w")
        self.proc = subprocess.Popen(
            argv, cwd=common.PROJECT_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited; see {self.log.name}:\n{Path(self.log.name).read_text()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(self.url(self.ready_path), timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout}s")

    def worker_pids(self):
        try:
            return [
                int(c)
                for c in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            ]
        except OSError:
            return []

    def worker_cpu(self):
        """utime+stime seconds of the worker processes (and the main one where it works too)."""
        pids = [self.proc.pid, *self.worker_pids()] if self.count_master_cpu else self.worker_pids()
        return sum(proc_cpu(pid) for pid in pids)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

"""The real services the fault tests break: a private Redis (never the shared one on 6379), the web
app served by gunicorn, Celery workers — all separate processes on the test database — and a small
HTTP client that logs in by session cookie."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

REDIS_SERVER = shutil.which("redis-server")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, *, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout}s")


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence (a restart loses every key and
    every queued task: PostgreSQL must be the only truth)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc = None
        self.log = (workdir / "redis.log").open("a")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        assert self.proc is None or self.proc.poll() is not None
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--protected-mode",
                "no",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self.answers, timeout=20, what="private redis-server start")

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self):
        """Stop it the hard way (SIGKILL): a crash, nothing flushed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=20)
        wait_for(lambda: not port_open(self.port), timeout=10, what="private redis-server stop")

    def close(self):
        self.kill()
        self.log.close()


class Service:
    """A subprocess with its own log file; stopped on close()."""

    def __init__(self, argv, *, env, log_path: Path):
        self.log_path = log_path
        self._log = log_path.open("a")
        self.proc = subprocess.Popen(
            argv,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        return self.log_path.read_text(errors="replace")

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def close(self):
        if self.alive():
            # the whole session: gunicorn's workers, an embedded beat
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def service_env(*, database_url, redis_url, workdir: Path, **extra):
    """The environment of every process of the app under test: the test settings, the test database,
    the private Redis for cache and broker, a mail sink in `workdir`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "TEST_REDIS_URL": redis_url,
        "EMAIL_BACKEND": "tests.faults.plugins.FileSinkEmailBackend",
        "FAULTS_MAIL_DIR": str(workdir / "mail"),
        "FAULTS_DIR": str(workdir),
        "PYTHONUNBUFFERED": "1",
        **{k: str(v) for k, v in extra.items()},
    }


def control_socket_off():
    """gunicorn 27 opens a control socket at one fixed path per user: ours must not take another's."""
    help_text = subprocess.run([GUNICORN, "--help"], capture_output=True, text=True).stdout
    return ["--no-control-socket"] if "--no-control-socket" in help_text else []


def start_web(env, workdir: Path, *, workers=2, threads=4):
    port = free_port()
    web = Service(
        [
            GUNICORN,
            "config.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--graceful-timeout",
            "3",
            "--error-logfile",
            "-",
            *control_socket_off(),
        ],
        env=env,
        log_path=workdir / f"web-{port}.log",
    )
    web.port = port

    def ready():
        if not web.alive():
            raise AssertionError(f"gunicorn exited:\n{web.log()}")
        try:
            return HttpClient(port).get("/healthz/")[0] == 200
        except OSError:
            return False

    wait_for(ready, timeout=60, what="gunicorn start")
    return web


def start_worker(env, workdir: Path, *, name, beat=False):
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        "-l",
        "info",
        "-n",
        f"{name}@%h",
    ]
    if beat:
        argv += ["-B", "-s", str(workdir / f"beat-{name}")]
    worker = Service(argv, env=env, log_path=workdir / f"worker-{name}.log")
    wait_for(lambda: "ready." in worker.log() or not worker.alive(), timeout=60, what=f"worker {name} start")
    assert worker.alive(), worker.log()
    return worker


class HttpClient:
    """One keep-alive-free HTTP/1.1 client; `session` is a session key (logged-in user)."""

    def __init__(self, port, session=None):
        self.port = port
        self.session = session
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret

    def request(self, method, path, body=None, timeout=60):
        headers = {"Accept": "application/json"}
        cookies = [f"csrftoken={self.csrf}"]
        if self.session:
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={self.session}")
        headers["Cookie"] = "; ".join(cookies)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers.update({"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type") or "", response.read()
        finally:
            conn.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)


def session_for(user):
    """A committed session row for `user` (the server reads it from PostgreSQL: its cache is cold)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "shared_apps.accounts.backends.CachedModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

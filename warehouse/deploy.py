"""A production-shaped Airflow deployment on one machine: what ``make deploy-local`` starts and
``make deploy-stop`` stops (docs/deploy.md).

Postgres (Debian's package) holds Airflow's metadata, with its data under
``<data>/deploy/postgres`` and listening on 127.0.0.1 only; then ``airflow db migrate``, the
DAGs' pools, and the API server, scheduler, DAG processor and triggerer with the LocalExecutor
(or the EdgeExecutor and an Edge worker process), all on 127.0.0.1, run by
:func:`warehouse.airflow_local.serve` under one supervisor process. ``start`` runs that
supervisor in the background and returns once the API server answers; ``stop`` stops it (the
Airflow components first, then Postgres) and waits until everything is gone.

Every setting comes from the environment (``GUICHETS_*``, ``AIRFLOW__*``): see :data:`SETTINGS`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from scrapers import children
from warehouse import airflow_local
from warehouse.settings import Settings, get_settings

# Environment variable -> (default, meaning): the table of docs/deploy.md.
SETTINGS: dict[str, tuple[str, str]] = {
    "GUICHETS_DATA_DIR": ("./data", "data directory: warehouse, evidence, releases, and deploy/ (Postgres, logs)"),
    "GUICHETS_DEPLOY_PORT": ("8080", "API server and UI port, on 127.0.0.1"),
    "GUICHETS_PG_PORT": ("5433", "Postgres port, on 127.0.0.1"),
    "GUICHETS_EXECUTOR": ("local", "`local` (LocalExecutor) or `edge` (EdgeExecutor and one Edge worker process)"),
    "GUICHETS_EDGE_CONCURRENCY": ("4", "task slots of the Edge worker"),
    "GUICHETS_PIPELINE_SCHEDULE": ("0 4 * * 1", "cron schedule of `guichets_pipeline` (live); `none`: sample only"),
    "AIRFLOW__CORE__PARALLELISM": ("8", "task slots of the LocalExecutor"),
}
EXECUTORS = {"local": "LocalExecutor", "edge": "airflow.providers.edge3.executors.EdgeExecutor"}
PG_USER = "airflow"
PG_DB = "airflow"


def _setting(name: str) -> str:
    return os.environ.get(name) or SETTINGS[name][0]


def postgres_bindir() -> Path:
    """The newest Debian Postgres server's ``bin`` folder (``/usr/lib/postgresql/N/bin``)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("Postgres is not installed: apt-get install postgresql (or `make deploy-local` does it)")
    return found[-1].parent


def _as_postgres(cmd: list[str]) -> list[str]:
    """Postgres refuses to run as root: as root, run it as the ``postgres`` user (exec'd, no shell)."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", *cmd]


def init_postgres(settings: Settings) -> Path:
    """Create the cluster under ``<data>/deploy/postgres`` on the first start (password auth only,
    the password in a 0600 file beside it); returns the cluster's folder."""
    base = settings.deploy_dir / "postgres"
    cluster = base / "data"
    password_file = base / "password"
    if (cluster / "PG_VERSION").exists():
        return cluster
    base.mkdir(parents=True, exist_ok=True)
    password_file.write_text(secrets.token_urlsafe(24))
    password_file.chmod(0o600)
    if os.geteuid() == 0:
        import shutil

        # The postgres user must reach its folder: every parent must be traversable.
        for parent in [base, *base.parents]:
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o001)
        pwcopy = base / "pwfile"
        pwcopy.write_text(password_file.read_text())
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(pwcopy, "postgres", "postgres")
    else:
        pwcopy = password_file
    cmd = [str(postgres_bindir() / "initdb"), "-D", str(cluster), "-U", PG_USER, "--auth=scram-sha-256"]
    proc = children.run(_as_postgres([*cmd, f"--pwfile={pwcopy}", "--encoding=UTF8"]), text=True)
    if pwcopy != password_file:
        pwcopy.unlink()
    if proc.returncode != 0:
        raise RuntimeError(f"initdb failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return cluster


def postgres_command(cluster: Path, port: int) -> list[str]:
    """The Postgres server on 127.0.0.1 only, its Unix socket in its own folder (not /run)."""
    return _as_postgres(
        [
            str(postgres_bindir() / "postgres"),
            "-D",
            str(cluster),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={cluster}",
        ]
    )


def sql_alchemy_conn(settings: Settings, port: int) -> str:
    """Airflow's metadata connection to the deployment's Postgres."""
    password = (settings.deploy_dir / "postgres" / "password").read_text().strip()
    return f"postgresql+psycopg2://{PG_USER}:{password}@127.0.0.1:{port}/{PG_DB}"


def wait_postgres(port: int, timeout_s: float = 60.0) -> None:
    """Wait until Postgres accepts connections on 127.0.0.1:``port``; then create the database."""
    deadline = time.monotonic() + timeout_s
    while True:
        proc = children.run([str(postgres_bindir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)])
        if proc.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"Postgres did not accept connections on 127.0.0.1:{port} within {timeout_s:.0f} s")
        time.sleep(0.3)


def create_database(settings: Settings, port: int) -> None:
    """Create Airflow's database (if missing)."""
    import psycopg2

    password = (settings.deploy_dir / "postgres" / "password").read_text().strip()
    con = psycopg2.connect(host="127.0.0.1", port=port, user=PG_USER, password=password, dbname="postgres")
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{PG_DB}"')
    con.close()


def deploy_env(settings: Settings, port: int, pg_port: int, executor: str) -> dict[str, str]:
    """What the deployment changes in :func:`warehouse.airflow_local.serve_env`: its own
    AIRFLOW_HOME, the Postgres metadata database, the executor (and the Edge API)."""
    env = {
        "AIRFLOW_HOME": str(settings.deploy_airflow_home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sql_alchemy_conn(settings, pg_port),
        "AIRFLOW__CORE__EXECUTOR": EXECUTORS[executor],
        "AIRFLOW__CORE__PARALLELISM": _setting("AIRFLOW__CORE__PARALLELISM"),
        # Runs are triggered, and DAGs are created paused: nothing starts before someone says so.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": os.environ.get(
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "True"
        ),
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "30",
        # A busy machine answers the task runners slowly: a runner that gives up after the default
        # 5 s is killed and its task fails for nothing.
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": os.environ.get("AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT", "60"),
    }
    if executor == "edge":
        env |= {
            "AIRFLOW__EDGE__API_ENABLED": "True",
            "AIRFLOW__EDGE__API_URL": f"http://127.0.0.1:{port}/edge_worker/v1/rpcapi",
            "AIRFLOW__EDGE__JOB_POLL_INTERVAL": "1",
            "AIRFLOW__EDGE__HEARTBEAT_INTERVAL": "5",
            # The Edge worker's tokens are valid for [api_auth] jwt_leeway seconds, and checked with
            # that leeway: 10 s each by default. A request the busy API server answers later than
            # that is refused (403, "signature has expired"), and a refused heartbeat or
            # registration ends the worker, and with it the deployment.
            "AIRFLOW__API_AUTH__JWT_LEEWAY": os.environ.get("AIRFLOW__API_AUTH__JWT_LEEWAY", "300"),
        }
    return env


def cli_env(settings: Settings, port: int, pg_port: int, executor: str) -> dict[str, str]:
    """What the ``airflow`` command line needs to talk to the deployment (``airflow dags trigger``...)."""
    return {**airflow_local.airflow_env(settings), **deploy_env(settings, port, pg_port, executor)}


def run(settings: Settings, port: int, pg_port: int, executor: str) -> int:
    """The supervisor, in the foreground: Postgres, then the Airflow components until SIGTERM or
    Ctrl-C; then the components stop, then Postgres. Returns an exit code."""
    children.become_subreaper()
    cluster = init_postgres(settings)
    # Postgres stops last, on its own grace: smart shutdown once its clients are gone.
    postgres = children.spawn(postgres_command(cluster, pg_port), stdin=subprocess.DEVNULL, grace_s=20)
    try:
        wait_postgres(pg_port)
        create_database(settings, pg_port)
        extra = {}
        if executor == "edge":
            extra["edge-worker"] = [
                "edge",
                "worker",
                "--concurrency",
                _setting("GUICHETS_EDGE_CONCURRENCY"),
                "--edge-hostname",
                f"{socket.gethostname()}-guichets",
            ]
        return airflow_local.serve(
            settings,
            port,
            env_overrides=deploy_env(settings, port, pg_port, executor),
            extra_components=extra,
            after_stop=lambda: stop_postgres(cluster, postgres),
        )
    finally:
        stop_postgres(cluster, postgres)


def stop_postgres(cluster: Path, postgres: subprocess.Popen) -> None:
    """Fast shutdown (open sessions, such as this supervisor's own, are ended; nothing is lost),
    then the keeper's stop for whatever is left."""
    if postgres.poll() is None:
        children.run(_as_postgres([str(postgres_bindir() / "pg_ctl"), "stop", "-D", str(cluster), "-m", "fast"]))
    children.stop(postgres, grace_s=20)


def _identity(pid: int) -> int | None:
    """When ``pid`` started (``/proc``): with the PID, identifies the supervisor across reuse."""
    from scrapers.archive.server import _start_ticks

    return _start_ticks(pid)


def _pidfile(settings: Settings) -> Path:
    return settings.deploy_dir / "supervisor.json"


def start(settings: Settings, port: int, pg_port: int, executor: str, timeout_s: float = 300.0) -> int:
    """Start the supervisor in the background (its output in ``<data>/deploy/deploy.log``) and
    return once the API server answers; 1 if it did not."""
    directory = settings.deploy_dir
    directory.mkdir(parents=True, exist_ok=True)
    if running(settings):
        print(f"already running (see {_pidfile(settings)}); `make deploy-stop` stops it")
        return 1
    log_path = directory / "deploy.log"
    cmd = [sys.executable, "-m", "warehouse.deploy", "run", "--data-dir", str(settings.data_dir)]
    env = {**os.environ, "GUICHETS_DEPLOY_PORT": str(port), "GUICHETS_PG_PORT": str(pg_port)}
    env["GUICHETS_EXECUTOR"] = executor
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
    _pidfile(settings).write_text(json.dumps({"pid": proc.pid, "started": _identity(proc.pid), "port": port}))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _pidfile(settings).unlink(missing_ok=True)
            print(f"the deployment exited (code {proc.returncode}); see {log_path}", file=sys.stderr)
            return 1
        if api_ready(port):
            print(f"Airflow on http://127.0.0.1:{port} (Postgres on 127.0.0.1:{pg_port}); log {log_path}")
            return 0
        time.sleep(1)
    print(f"the API server did not answer within {timeout_s:.0f} s; see {log_path}", file=sys.stderr)
    return 1


def api_ready(port: int) -> bool:
    """True once the API server answers its health check."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=3) as resp:
            return resp.status == 200
    except OSError:
        return False


def running(settings: Settings) -> int | None:
    """The supervisor's PID if it runs (same PID and start time as recorded), else None."""
    try:
        info = json.loads(_pidfile(settings).read_text())
    except (FileNotFoundError, ValueError):
        return None
    pid = int(info["pid"])
    return pid if _identity(pid) == info.get("started") and children._alive(pid) else None


def stop(settings: Settings, timeout_s: float = 90.0) -> int:
    """Stop the supervisor (SIGTERM: the components, then Postgres) and wait until it is gone."""
    pid = running(settings)
    if pid is None:
        print("not running")
        _pidfile(settings).unlink(missing_ok=True)
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and children._alive(pid):
        children.reap(pid)
        time.sleep(0.2)
    if children._alive(pid):
        os.killpg(pid, signal.SIGKILL)  # its own session: everything it started
        print("did not stop in time: killed", file=sys.stderr)
        return 1
    _pidfile(settings).unlink(missing_ok=True)
    print("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m warehouse.deploy start|stop|run|status|env [--data-dir DIR]``.

    ``env`` prints the ``export`` lines for the ``airflow`` command line: ``eval "$(... env)"``.
    """
    parser = argparse.ArgumentParser(prog="python -m warehouse.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "run", "status", "env"])
    parser.add_argument("--data-dir", type=Path, default=None, help="data directory (default: $GUICHETS_DATA_DIR)")
    parser.add_argument("--start-timeout", type=float, default=300.0, help="seconds `start` waits for the API (300)")
    args = parser.parse_args(argv)
    settings = get_settings(args.data_dir)
    port = int(_setting("GUICHETS_DEPLOY_PORT"))
    pg_port = int(_setting("GUICHETS_PG_PORT"))
    executor = _setting("GUICHETS_EXECUTOR")
    if executor not in EXECUTORS:
        parser.error(f"GUICHETS_EXECUTOR must be one of {sorted(EXECUTORS)}, not {executor!r}")
    if args.command == "start":
        return start(settings, port, pg_port, executor, timeout_s=args.start_timeout)
    if args.command == "stop":
        return stop(settings)
    if args.command == "env":
        for key, value in cli_env(settings, port, pg_port, executor).items():
            print(f"export {key}={shlex.quote(value)}")
        return 0
    if args.command == "status":
        pid = running(settings)
        print(f"running (pid {pid})" if pid else "not running")
        return 0 if pid else 3
    return run(settings, port, pg_port, executor)


if __name__ == "__main__":
    sys.exit(main())

"""A throwaway PostgreSQL server for the tests: started in a temp dir, stopped after."""
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin(name: str) -> str:
    """The newest Debian build of a server binary, else whatever is on PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[4]))
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise RuntimeError(f"PostgreSQL's {name} not found: run `make postgres-server` "
                           "(apt-get install postgresql)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*command: str) -> None:
    # The server refuses to run as root: drop to the postgres user when we are root.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + list(command), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


class PostgresServer:
    """A running server: its base URL (no database), and a restart as an upgrade does."""

    def __init__(self, url: str, data: Path):
        self.url, self.data = url, data

    def restart(self) -> None:
        # Same options as the start (postmaster.opts); its output to the same log file.
        _as_postgres(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.data.parent / "log"),
                     "-m", "fast", "-w", "restart")


@contextlib.contextmanager
def postgres_server():
    """Start a PostgreSQL server on a free loopback port; yield it (a PostgresServer)."""
    # Not pytest's tmp_path: its parents are closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="pos_notes_pg_"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    _as_postgres(_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
               "-c max_connections=200")
    _as_postgres(_bin("pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
                 "-o", options, "start")
    try:
        yield PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}", data)
    finally:
        _as_postgres(_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)

"""A throwaway Redis server for the tests: Debian's redis-server on a free loopback port."""
import contextlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from .pg import free_port


@contextlib.contextmanager
def redis_server():
    """Start redis-server (nothing kept on disk); yield (its URL, its process)."""
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError("redis-server not found: run `make redis-server` "
                           "(apt-get install redis-server)")
    root, port = Path(tempfile.mkdtemp(prefix="pos_notes_redis_")), free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()
        yield url, process
    finally:
        process.kill()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)

#!/usr/bin/env python3
"""`make bench`: pos_notes at shop-years scale, measured through the real server.

Builds a throwaway SQLite database (10,000 invoices, 1,000,000 history entries, one invoice
with 100,000 of them), serves it with gunicorn (2 workers, WAL) on 127.0.0.1, measures
latencies and throughput with a client on the loopback, prints a table and issue 7's ratios.
Nothing leaves the machine; the database is deleted at the end unless --keep is given.
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-clave-segura"
ADMIN, CASHIER = "dueno@bench.test", "cajero@bench.test"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FIRST = ["María", "José", "Luis", "Ana", "Carlos", "Juan", "Diana", "Andrés", "Paola", "Jorge",
         "Sandra", "Camilo", "Luz", "Óscar", "Natalia", "Felipe", "Ángela", "Iván", "Sofía",
         "Julián", "Martha", "Hernán", "Yolanda", "Édgar", "Valentina"]
LAST = ["Gómez", "Rodríguez", "Martínez", "García", "López", "Hernández", "González", "Pérez",
        "Sánchez", "Ramírez", "Torres", "Díaz", "Vargas", "Moreno", "Rojas", "Jiménez",
        "Castro", "Ortiz", "Rubio", "Muñoz", "Suárez", "Quintero", "Ospina", "Zapata",
        "Cárdenas", "Restrepo", "Valencia", "Arango", "Mejía", "Londoño"]
NOTES = ["Cliente llamó, paga el viernes.", "Se envió recordatorio por WhatsApp.",
         "Revisar con el dueño antes de despachar.", "Abono prometido para la quincena.",
         "Devolvió una caja de leche en mal estado.", "Pide factura a nombre de la empresa.",
         "No contesta el teléfono.", "Dejó razón con el vecino."]
STATUS_MIX = ["pagada"] * 6 + ["por_cobrar"] * 2 + ["pagada_parcialmente", "anulada"]


def sql_time(moment: datetime) -> str:
    """The text SQLAlchemy's DateTime stores on SQLite (naive UTC)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


# --- Data -----------------------------------------------------------------------------------

def build(path: Path, args) -> dict:
    """Migrate a fresh database with Alembic, then bulk-insert the shop's years."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from pos_notes import create_app
    from pos_notes.extensions import db

    app = create_app()  # configured from the POS_NOTES_* environment set in main()
    with app.app_context():
        upgrade()
        db.engine.dispose()

    rng = random.Random(7)
    # The history ends a day ago: entries under 12 hours old read "hace 5 minutos" and are
    # rendered on every view; older ones are rendered once per worker and kept.
    now = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    start = now - timedelta(days=730)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    with con:
        password = generate_password_hash(PASSWORD)
        con.executemany(
            "INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?,?,?,?,?)",
            [(1, ADMIN, password, "admin", sql_time(start)),
             (2, CASHIER, password, "cashier", sql_time(start))])
        customers = []
        for i in range(1, args.customers + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
            ident = f"{rng.randint(1_000_000, 1_099_999_999):,}".replace(",", ".")
            customers.append((i, name, ident, f"cliente{i}@correo.test", "", "",
                              sql_time(start)))
        con.executemany("INSERT INTO customers (id, name, identification, email, phone, address,"
                        " created_at) VALUES (?,?,?,?,?,?,?)", customers)

        big, small = args.invoices // 2, args.invoices // 2 + 1
        others = args.invoices - 2
        spare = args.entries - args.customers - args.invoices - (args.big - 1) - 9
        per_invoice, extra = divmod(max(spare, 0), others)
        invoices, lines, issued = [], [], {}
        for number in range(1, args.invoices + 1):
            at = start + (now - start) * (number / (args.invoices + 1)) * 0.5
            if number == big:
                at = start
            issued[number] = at
            status = rng.choice(STATUS_MIX)
            total = rng.randint(1, 400) * 500
            paid = {"pagada": total, "por_cobrar": 0, "anulada": 0,
                    "pagada_parcialmente": total // 2}[status]
            credit = status in ("por_cobrar", "pagada_parcialmente") or rng.random() < 0.2
            invoices.append((number, number, rng.randint(1, args.customers),
                             "credito" if credit else "contado", status, sql_time(at),
                             (at + timedelta(days=30)).date().isoformat() if credit else None,
                             "", total, paid,
                             "Error de digitación" if status == "anulada" else "", 1, 1))
            lines.append((number, 1, "Mercado del mes", "1", total, total))
        con.executemany("INSERT INTO invoices (id, number, customer_id, payment_form, status,"
                        " issued_at, due_date, observations, total, paid, annul_reason,"
                        " created_by_id, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", invoices)
        con.executemany("INSERT INTO invoice_lines (invoice_id, position, description, quantity,"
                        " unit_price, total) VALUES (?,?,?,?,?,?)", lines)
        con.execute("INSERT INTO counters (name, value) VALUES ('invoice', ?)", (args.invoices,))

        def entries():
            for i in range(1, args.customers + 1):
                yield ("customer_created", None, i, 1, ADMIN, sql_time(start), "", "{}")
            for number in range(1, args.invoices + 1):
                at = issued[number]
                yield ("created", number, None, 1, ADMIN, sql_time(at), "",
                       '{"total": 1000, "payment_form": "contado", "customer": "Bench"}')
                count = (args.big - 1 if number == big else 9 if number == small else
                         per_invoice + (1 if number <= extra else 0))
                step = (now - at) / (count + 1)
                for j in range(1, count + 1):
                    actor = j % 2 + 1
                    yield ("annotation", number, None, actor, ADMIN if actor == 1 else CASHIER,
                           sql_time(at + step * j), NOTES[j % len(NOTES)], "{}")

        con.executemany("INSERT INTO history_entries (kind, invoice_id, customer_id, actor_id,"
                        " actor_email, created_at, body, data) VALUES (?,?,?,?,?,?,?,?)",
                        entries())
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = con.execute("SELECT count(*) FROM history_entries").fetchone()[0]
    # Page 3,000 of the big Historial starts after 2,999 pages of 30 entries.
    deep_page = min(3000, args.big // 30)
    depth = (deep_page - 1) * 30
    row = con.execute("SELECT created_at, id FROM history_entries WHERE invoice_id = ?"
                      " ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
                      (big, depth - 1)).fetchone()
    typical_count = con.execute("SELECT count(*) FROM history_entries WHERE invoice_id = ?",
                                (small + 1,)).fetchone()[0]
    one_customer = min(42, args.customers)
    one = con.execute("SELECT name FROM customers WHERE id = ?", (one_customer,)).fetchone()[0]
    con.close()
    from pos_notes.history import encode_cursor
    cursor = encode_cursor(datetime.fromisoformat(row[0]), row[1])
    return {"big": big, "small": small, "entries": total, "deep_cursor": cursor,
            "deep_page": deep_page, "typical_count": typical_count,
            "one_customer": one, "customer_id": one_customer}


# --- Client ---------------------------------------------------------------------------------

class Session:
    """A logged-in browser on the loopback: its cookie and its CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        # gunicorn's sync workers close every connection: one connection per request.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        conn.close()
        return response.status, data

    def login(self, email: str) -> None:
        status, page = self.request("GET", "/login")
        self.token = TOKEN.search(page.decode()).group(1)
        status, _ = self.request("POST", "/login", urlencode(
            {"email": email, "password": PASSWORD, "csrf_token": self.token}))
        assert status == 302, f"login failed: {status}"

    def form_fields(self, path: str) -> dict:
        """The hidden fields of the annotation form (CSRF token, any idempotency key)."""
        _status, page = self.request("GET", path, headers={"HX-Request": "true"})
        form = page.decode().split('name="text"')[0]
        fields = {}
        for tag in re.findall(r"<input[^>]*>", form):
            attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
            if attrs.get("type") == "hidden" and "name" in attrs:
                fields[attrs["name"]] = attrs.get("value", "")
        return fields


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def latencies(session: Session, measures: list[tuple[str, str, bool]], count: int) -> dict:
    """p50/p95 of each route, requests taken in turns so that every route sees the same
    moments of the machine (another process's burst slows them all, not just one)."""
    times = {label: [] for label, _path, _htmx in measures}
    errors = dict.fromkeys(times, 0)
    sizes = dict.fromkeys(times, 0)
    for turn in range(count + 5):  # the first 5 turns warm up (and fill the entry cache)
        for label, path, htmx in measures:
            began = time.perf_counter()
            status, body = session.request("GET", path,
                                           headers={"HX-Request": "true"} if htmx else {})
            if turn >= 5:
                times[label].append((time.perf_counter() - began) * 1000)
                errors[label] += status != 200
                sizes[label] = len(body)
    return {label: {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
                    "errors": errors[label], "count": count, "bytes": sizes[label]}
            for label, values in times.items()}


def _load_worker(port, cookie, fields, kind, target, seconds, results):
    session = Session(port)
    session.cookie = cookie
    ok = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            if kind == "post":
                data = dict(fields, text=f"bench-post {uuid.uuid4().hex}")
                for name in data:
                    if "idempot" in name:  # a fresh key per submission, as a new form has
                        data[name] = uuid.uuid4().hex
                status, _ = session.request("POST", target, urlencode(data), headers={
                    "HX-Request": "true", "X-CSRFToken": fields.get("csrf_token", "")})
            else:
                status, _ = session.request("GET", target)
        except OSError:
            status = 0
        if 200 <= status < 300:
            ok += 1
        else:
            errors += 1
    results.put((ok, errors))


def throughput(session: Session, kind: str, target: str, clients: int, seconds: float,
               fields: dict | None = None) -> dict:
    """Requests per second from `clients` processes (no GIL shared with each other)."""
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_load_worker, args=(
        session.port, session.cookie, fields or {}, kind, target, seconds, results))
        for _i in range(clients)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    totals = [results.get() for _worker in workers]
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    ok, errors = sum(t[0] for t in totals), sum(t[1] for t in totals)
    return {"ok": ok, "errors": errors, "rps": ok / elapsed, "seconds": elapsed}


# --- Server ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, env: dict) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen([str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
    for _i in range(200):
        try:
            if Session(port).request("GET", "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.05)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def worker_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return (f"{os.cpu_count()} CPUs ({model}), {mem:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")


# --- Run ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=100_000, help="entries of the big invoice")
    parser.add_argument("--requests", type=int, default=150, help="per latency figure")
    parser.add_argument("--seconds", type=float, default=10, help="per throughput figure")
    parser.add_argument("--clients", type=int, default=4, help="concurrent load clients")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pos_notes_bench_"))
    path = workdir / "bench.db"
    env = dict(os.environ, POS_NOTES_SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
               POS_NOTES_SECRET_KEY=uuid.uuid4().hex)
    os.environ.update(env)
    print(f"Machine: {machine()}")
    print(f"Load average at start: {load_average()}")
    began = time.perf_counter()
    data = build(path, args)
    built = time.perf_counter() - began
    print(f"Built {args.invoices:,} invoices, {args.customers:,} customers, "
          f"{data['entries']:,} history entries ({args.big:,} on POS-{data['big']}) "
          f"in {built:.1f} s; database {path.stat().st_size / 2**20:.0f} MiB")

    port = free_port()
    server = serve(port, env)
    rows, ratios = [], []
    try:
        session = Session(port)
        session.login(CASHIER)
        big, small, n = data["big"], data["small"], args.requests
        history = "/invoices/{}/history"
        deep_label = f"Historial page {data['deep_page']:,} deep (big)"
        measures = [
            ("Trivial route /healthz (public)", "/healthz", False),
            ("Historial first page, 10 entries", history.format(small), True),
            (f"Historial first page, {data['typical_count']:,} entries", history.format(small + 1),
             True),
            (f"Historial first page, {args.big:,} entries", history.format(big), True),
            (deep_label, history.format(big)
             + f"?before={data['deep_cursor']}", True),
            ("Invoice page (big)", f"/invoices/{big}", False),
            ("Invoice list, first page", "/invoices/", False),
            ("Invoice list, status Por Cobrar", "/invoices/?status=por_cobrar", False),
            ("Search by number", f"/invoices/?q=POS-{args.invoices // 3}", False),
            ("Search one customer by name", "/invoices/?" + urlencode(
                {"q": data["one_customer"]}), False),
            ("Search a common name (perez)", "/invoices/?q=perez", False),
            ("Search identification digits", "/invoices/?q=1045", False),
            ("Cliente - Consulta", f"/customers/{data['customer_id']}", False),
            ("Customer list, first page", "/customers/", False),
            ("Customer list, search (perez)", "/customers/?q=perez", False),
            ("Customer list, search one name", "/customers/?" + urlencode(
                {"q": data["one_customer"]}), False),
        ]
        served, missing = [], {}
        for label, path_, htmx in measures:
            status, _ = session.request("GET", path_, headers={"HX-Request": "true"} if htmx
                                        else {})
            if status == 200:
                served.append((label, path_, htmx))
            else:
                missing[label] = status
        figures = latencies(session, served, n)
        for label, _path, _htmx in measures:
            if label in missing:
                rows.append((label, f"n/a (HTTP {missing[label]} on this branch)", "", ""))
                continue
            figure = figures[label]
            rows.append((label, f"{figure['p50']:.1f}", f"{figure['p95']:.1f}",
                         f"{figure['errors']} errors, {figure['bytes']:,} B"))

        trivial = throughput(session, "get", "/healthz", args.clients, args.seconds)
        fields = session.form_fields(history.format(small))
        stored_before = count_posts(path)
        posts = throughput(session, "post", f"/invoices/{small}/annotations", args.clients,
                           args.seconds, fields)
        stored = count_posts(path) - stored_before
        rss = max(peak_rss_mb(pid) for pid in worker_pids(server))
    finally:
        server.terminate()
        server.wait(timeout=30)

    print()
    print(f"{'Measure':45} {'p50 ms':>9} {'p95 ms':>9}  Notes")
    print("-" * 90)
    for label, p50, p95, note in rows:
        print(f"{label:45} {p50:>9} {p95:>9}  {note}")
    print("-" * 90)
    print(f"{'Trivial route throughput':45} {trivial['rps']:>9.0f} req/s  "
          f"{trivial['errors']} errors, {args.clients} clients, {trivial['seconds']:.0f} s")
    print(f"{'Annotation POST throughput':45} {posts['rps']:>9.0f} req/s  "
          f"{posts['errors']} errors, {posts['ok']:,} answered 2xx, {stored:,} stored")
    print(f"{'Peak RSS of a gunicorn worker':45} {rss:>9.0f} MiB")

    first_small = figures["Historial first page, 10 entries"]["p50"]
    first_big = figures[f"Historial first page, {args.big:,} entries"]["p50"]
    first_typical = figures[f"Historial first page, {data['typical_count']:,} entries"]["p50"]
    deep = figures[deep_label]["p50"]
    floor = figures["Trivial route /healthz (public)"]["p50"]
    worst = max(first_small, first_typical, first_big, deep)
    ratios = [
        (f"Historial first page, {args.big:,} vs 10 entries (p50)", first_big / first_small,
         "<=", 1.5),
        (f"  control: {args.big:,} vs {data['typical_count']} entries (p50)",
         first_big / first_typical, "<=", 1.5),
        (f"Page {data['deep_page']:,} deep vs first page (p50)", deep / first_big, "<=", 1.5),
        ("Slowest Historial fragment vs trivial route (p50)", worst / floor, "<=", 4),
        ("Annotation POSTs vs trivial route (req/s)", posts["rps"] / trivial["rps"], ">=", 0.25),
    ]
    print()
    print(f"{'Target (issue 7)':55} {'ratio':>7}  {'goal':>7}  met")
    print("-" * 80)
    for label, value, op, goal in ratios:
        met = value <= goal if op == "<=" else value >= goal
        print(f"{label:55} {value:>7.2f}  {op}{goal:>5}  {'yes' if met else 'NO'}")
    sound = posts["errors"] == 0 and stored == posts["ok"]
    print(f"{'Annotation POSTs: zero errors, every post stored':55} {'':>7}  {'':>7}  "
          f"{'yes' if sound else 'NO'}")
    print(f"\nLoad average at the end: {load_average()} (other processes skew every figure)")
    print(f"Total time {time.perf_counter() - began:.0f} s")
    if args.keep:
        print(f"Database kept: {path}")
    else:
        shutil.rmtree(workdir)


def count_posts(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM history_entries WHERE kind = 'annotation'"
                           " AND body LIKE 'bench-post %'").fetchone()[0]
    finally:
        con.close()


if __name__ == "__main__":
    main()

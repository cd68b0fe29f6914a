"""ctx.datasource through the server: analyses stored in the catalog, run by the job service
with the datasources they declare (docs/datasources.md).

The PostgreSQL tests need the server of scripts/test-services (`make test` starts it and sets
AS_TEST_PG_*); without it they are skipped, unless AS_TEST_SERVICES_REQUIRED=1.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from service_blocks import datasource_block, require_services


class Server:
    """A running `analysis-sandbox serve` and a token to call it with."""

    def __init__(self, process: subprocess.Popen, url: str, token: str):
        self.process, self.url, self.token = process, url, token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def run_analysis(self, name: str, script: str) -> dict:
        """Stores `script` as `name`, executes it and waits for the job; returns the job status."""
        status, created = self.call("POST", "/api/analysis", {"name": name, "script": textwrap.dedent(script)})
        assert status == 201, created
        status, submitted = self.call("POST", f"/api/analysis/{name}/execute", {"parameters": {}})
        assert status == 202, submitted
        job_id = submitted["job_id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, job = self.call("GET", f"/api/analysis/jobs/{job_id}?wait_ms=5000")
            assert status == 200, job
            if job["status"] in ("completed", "failed", "cancelled"):
                return job
        pytest.fail(f"job {job_id} did not finish")


def start_server(as_bin: Path, cwd: Path, args: list[str], token: str | None = None, env: dict | None = None) -> Server:
    process = subprocess.Popen([str(as_bin), "serve", "--listen", "127.0.0.1:0", *args], cwd=cwd, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    url = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (url is None or token is None):
        line = process.stdout.readline()
        if not line:
            break
        if match := re.search(r"listening on (http://[0-9.]+:\d+)/", line):
            url = match.group(1)
        if token is None and (match := re.fullmatch(r"\s+(as_\S+)\s*", line)):
            token = match.group(1)
    if url is None or token is None:
        process.kill()
        pytest.fail(f"the server did not start: {process.stderr.read()}")
    return Server(process, url, token)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def demo_server(as_bin: Path, tmp_path: Path):
    """The server on its embedded defaults: project `default` with the demo datasource."""
    server = start_server(as_bin, tmp_path, [])
    yield server
    stop_server(server)


def test_an_analysis_queries_the_demo_datasource_through_the_job_service(demo_server):
    job = demo_server.run_analysis("revenue", """
        export default {
          title: "Revenue by status",
          dependencies: { datasources: ["demo"] },
          async run(ctx) {
            const rows = await ctx.datasource.demo.query(
              "SELECT status, count(*) AS orders FROM orders WHERE order_date >= ? GROUP BY status ORDER BY status", ["2023-01-01"]);
            const total = rows.reduce((sum, r) => sum + r.orders, 0);
            return { statuses: rows.map(r => r.status), total };
          }
        };
    """)
    assert job["status"] == "completed", job
    assert job["result"] == {"statuses": ["cancelled", "completed", "refunded", "shipped"], "total": 3000}


def test_the_demo_datasource_is_read_only(demo_server):
    job = demo_server.run_analysis("vandal", """
        export default {
          title: "Tries to write",
          dependencies: { datasources: ["demo"] },
          async run(ctx) {
            const errors = [];
            try { await ctx.datasource.demo.query("DELETE FROM orders"); } catch (e) { errors.push(e.message); }
            try { await ctx.datasource.demo.execute("DELETE FROM orders"); } catch (e) { errors.push(e.message); }
            const left = await ctx.datasource.demo.query("SELECT count(*) AS n FROM orders");
            return { errors, left: left[0].n };
          }
        };
    """)
    assert job["status"] == "completed", job
    assert job["result"]["left"] == 3000
    assert job["result"]["errors"] == [
        "ctx.datasource.demo.query: attempt to write a readonly database (datasource 'demo' is read-only: allow_writes = false in its configuration)",
        "ctx.datasource.demo.execute: datasource 'demo' is read-only: execute() needs allow_writes = true in its configuration (query() and stream() read)",
    ]


def test_a_datasource_the_analysis_does_not_declare_is_an_error_naming_it(demo_server):
    job = demo_server.run_analysis("sneaky", """
        export default {
          title: "Reaches for an undeclared datasource",
          async run(ctx) {
            const name = ["de", "mo"].join("");
            return { rows: await ctx.datasource[name].query("SELECT 1") };
          }
        };
    """)
    assert job["status"] == "failed", job
    assert "ctx.datasource.demo: datasource 'demo' is not declared by this analysis: add it to dependencies.datasources" in job["error"]


def configured_server(as_bin: Path, tmp_path: Path, cli, datasource: str, type_: str) -> Server:
    """The server with project `default` having one read-only datasource on the test server of `type_`."""
    require_services(type_)
    created = cli("token", "create", "--project", "default", "--role", "author", "--name", "e2e")
    assert created.returncode == 0, created.describe()
    token = re.search(r"^\s+(as_\S+)\s*$", created.stdout, re.M).group(1)
    token_lines = created.stdout[created.stdout.index("[[tokens]]"):]
    config = tmp_path / "sandbox.toml"
    config.write_text('data_dir = "data"\n' + datasource_block("default", datasource, type_) + "\n" + token_lines)
    return start_server(as_bin, tmp_path, ["--config", str(config)], token=token)


@pytest.fixture
def postgres_server(as_bin: Path, tmp_path: Path, cli):
    server = configured_server(as_bin, tmp_path, cli, "warehouse", "postgres")
    yield server
    stop_server(server)


def test_an_analysis_streams_and_queries_postgres_through_the_server(postgres_server):
    job = postgres_server.run_analysis("people", """
        export default {
          title: "People and a stream",
          dependencies: { datasources: ["warehouse"] },
          async run(ctx) {
            const people = await ctx.datasource.warehouse.query("SELECT name FROM people WHERE id <= $1 ORDER BY id", [3]);
            let rows = 0, batches = 0;
            for await (const batch of ctx.datasource.warehouse.stream("SELECT id FROM big WHERE id <= $1", [25000], 10000)) {
              rows += batch.length; batches++;
            }
            return { names: people.map(p => p.name), rows, batches };
          }
        };
    """)
    assert job["status"] == "completed", job
    assert job["result"] == {"names": ["Ada", "Grace", "Linus"], "rows": 25000, "batches": 3}


@pytest.fixture
def mariadb_server(as_bin: Path, tmp_path: Path, cli):
    server = configured_server(as_bin, tmp_path, cli, "legacy", "mysql")
    yield server
    stop_server(server)


def test_an_analysis_streams_and_queries_mariadb_through_the_server(mariadb_server):
    job = mariadb_server.run_analysis("people", """
        export default {
          title: "People and a stream",
          dependencies: { datasources: ["legacy"] },
          async run(ctx) {
            const people = await ctx.datasource.legacy.query("SELECT name FROM people WHERE id <= ? ORDER BY id", [3]);
            let rows = 0, batches = 0;
            for await (const batch of ctx.datasource.legacy.stream("SELECT id FROM big WHERE id <= ?", [25000], 10000)) {
              rows += batch.length; batches++;
            }
            let refused = null;
            try { await ctx.datasource.legacy.query("DELETE FROM people"); } catch (e) { refused = e.message; }
            return { names: people.map(p => p.name), rows, batches, refused };
          }
        };
    """)
    assert job["status"] == "completed", job
    assert job["result"] == {"names": ["Ada", "Grace", "Linus"], "rows": 25000, "batches": 3,
                             "refused": "ctx.datasource.legacy.query: Cannot execute statement in a READ ONLY transaction "
                                        "(datasource 'legacy' is read-only: allow_writes = false in its configuration)"}


@pytest.fixture
def clickhouse_server(as_bin: Path, tmp_path: Path, cli):
    server = configured_server(as_bin, tmp_path, cli, "events", "clickhouse")
    yield server
    stop_server(server)


def test_an_analysis_streams_queries_and_loads_clickhouse_through_the_server(clickhouse_server):
    job = clickhouse_server.run_analysis("events", """
        export default {
          title: "People, a stream and a load",
          dependencies: { datasources: ["events"] },
          async run(ctx) {
            const people = await ctx.datasource.events.query("SELECT name FROM people WHERE id <= ? ORDER BY id", [3]);
            let rows = 0, batches = 0;
            for await (const batch of ctx.datasource.events.stream("SELECT id FROM big WHERE id <= ?", [25000], 10000)) {
              rows += batch.length; batches++;
            }
            let refused = null;
            try { await ctx.datasource.events.query("INSERT INTO people VALUES (9, 'x', 'y')"); } catch (e) { refused = e.message; }
            const loaded = await ctx.duckdb.load("events", "SELECT id, label FROM big WHERE id <= 1000", "labels");
            const [sum] = await ctx.duckdb.query("SELECT sum(id) AS ids FROM labels");
            return { names: people.map(p => p.name), rows, batches, refused, loaded, ids: sum.ids };
          }
        };
    """)
    assert job["status"] == "completed", job
    assert job["result"] == {"names": ["Ada", "Grace", "Linus"], "rows": 25000, "batches": 3,
                             "refused": "ctx.datasource.events.query: Cannot insert into table in readonly mode "
                                        "(datasource 'events' is read-only: allow_writes = false in its configuration)",
                             "loaded": {"table": "labels", "rows": 1000}, "ids": 500500}

"""The spec's ETL and cross-datasource patterns end to end (docs/datasources.md, docs/duckdb.md):
ctx.duckdb.load from PostgreSQL, MariaDB and ClickHouse into the project DuckDB, a join across them checked
exactly, through `analysis-sandbox run --config` and through the server's REST API; and loads
into the project DuckDB that later jobs read (persistence across runs), including a load that
fails part way.

Needs the PostgreSQL, MariaDB and ClickHouse servers of scripts/test-services (`make test` starts
them and sets AS_TEST_PG_* / AS_TEST_MYSQL_* / AS_TEST_CH_*); without them the tests are skipped,
unless AS_TEST_SERVICES_REQUIRED=1.

The cross-datasource analysis is built from LEGS: one load per datasource (its datasource block
and its load) plus its part of the join.
"""
from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from api_client import ApiServer
from conftest_api import js
from service_blocks import datasource_block, require_services


def require_servers() -> None:
    require_services("postgres", "mysql", "clickhouse")


def postgres_block(name: str, allow_writes: bool = False) -> str:
    return datasource_block("p1", name, "postgres", allow_writes)


def mariadb_block(name: str, allow_writes: bool = False) -> str:
    return datasource_block("p1", name, "mysql", allow_writes)


def clickhouse_block(name: str, allow_writes: bool = False) -> str:
    return datasource_block("p1", name, "clickhouse", allow_writes)


@dataclass
class Leg:
    """One datasource of the cross-datasource analysis: its config block and the load into DuckDB."""

    datasource: str
    config: str
    sql: str
    table: str


# Customers from PostgreSQL's `people`, orders made on the MariaDB server (seq_1_to_1000: order n
# belongs to customer n % 4 + 1 and costs n * 2.50), events from ClickHouse's `big` (event n <= 602
# belongs to customer n % 4 + 1: 150, 151, 151, 150 events).
LEGS = [
    Leg("warehouse", postgres_block("warehouse"), "SELECT id, name, city FROM people", "customers"),
    Leg("shop", mariadb_block("shop"),
        "SELECT seq AS order_id, seq % 4 + 1 AS customer_id, CAST(seq * 2.5 AS DECIMAL(10, 2)) AS amount FROM seq_1_to_1000",
        "orders"),
    Leg("clicks", clickhouse_block("clicks"), "SELECT id AS event_id, id % 4 + 1 AS customer_id FROM big WHERE id <= 602", "events"),
]

JOINED_SQL = """
    SELECT c.id, c.name, c.city, o.orders, o.revenue, e.events
    FROM customers c
    LEFT JOIN (SELECT customer_id, count(*) AS orders, sum(amount)::DOUBLE AS revenue FROM orders GROUP BY ALL) o
      ON o.customer_id = c.id
    LEFT JOIN (SELECT customer_id, count(*) AS events FROM events GROUP BY ALL) e ON e.customer_id = c.id
    ORDER BY c.id
"""

EXPECTED_SEGMENTS = [
    {"id": 1, "name": "Ada", "city": "London", "orders": 250, "revenue": 313750, "events": 150},
    {"id": 2, "name": "Grace", "city": "New York", "orders": 250, "revenue": 311875, "events": 151},
    {"id": 3, "name": "Linus", "city": "Helsinki", "orders": 250, "revenue": 312500, "events": 151},
    {"id": 4, "name": "'; DROP TABLE people; --", "city": "Nowhere", "orders": 250, "revenue": 313125, "events": 150},
]


def cross_datasource_script() -> str:
    loads = json.dumps([{"datasource": leg.datasource, "sql": leg.sql, "table": leg.table} for leg in LEGS], indent=4)
    return js(f"""
        export default {{
            title: "Cross-datasource customer analysis",
            dependencies: {{ datasources: {json.dumps([leg.datasource for leg in LEGS])} }},
            async run(ctx) {{
                const loaded = {{}};
                for (const leg of {textwrap.indent(loads, '                ').lstrip()}) {{
                    loaded[leg.table] = (await ctx.duckdb.load(leg.datasource, leg.sql, leg.table)).rows;
                }}
                const segments = await ctx.duckdb.query(`{JOINED_SQL}`);
                return {{ loaded, segments }};
            }},
        }};
    """)


EXPECTED_LOADED = {"customers": 4, "orders": 1000, "events": 602}


def write_config(directory: Path, blocks: list[str], tokens: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "analysis-sandbox.toml"
    path.write_text('data_dir = "data"\n\n[projects.p1]\n[projects.p2]\n' + "".join(blocks) + "\n" + tokens + "\n", encoding="utf-8")
    return path


def test_the_cross_datasource_pattern_through_the_cli(cli, tmp_path):
    require_servers()
    config = write_config(tmp_path / "cli", [leg.config for leg in LEGS])
    script = tmp_path / "cross.js"
    script.write_text(cross_datasource_script(), encoding="utf-8")
    done = cli("run", script, "--config", config, "--project", "p1")
    assert done.returncode == 0, done.describe()
    assert json.loads(done.stdout) == {"loaded": EXPECTED_LOADED, "segments": EXPECTED_SEGMENTS}
    # The tables stay in the project DuckDB, in the config's data_dir.
    kept = cli("duckdb", "p1", "SELECT (SELECT count(*) FROM customers) AS customers, (SELECT sum(amount)::DOUBLE FROM orders) AS total",
               "--data-dir", tmp_path / "cli" / "data")
    assert kept.returncode == 0, kept.describe()
    assert json.loads(kept.stdout) == {"customers": 4, "total": 1251250}


def test_run_with_config_keeps_the_declared_datasources_rule(cli, tmp_path):
    require_servers()
    config = write_config(tmp_path / "cli", [leg.config for leg in LEGS])
    script = tmp_path / "sneaky.js"
    script.write_text(js("""
        export default {
            title: "Declares one, loads from another",
            dependencies: { datasources: ["warehouse"] },
            async run(ctx) { return await ctx.duckdb.load(["sh", "op"].join(""), "SELECT 1 AS one", "t"); },
        };
    """), encoding="utf-8")
    done = cli("run", script, "--config", config, "--project", "p1")
    assert done.returncode == 1, done.describe()
    assert ("ctx.duckdb.load(datasource, sql, table): datasource 'shop' is not declared by this analysis: "
            "add it to dependencies.datasources to use it") in done.stderr
    missing = cli("run", script, "--config", config, "--project", "nope")
    assert missing.returncode == 2, missing.describe()
    assert "project 'nope' is not configured" in missing.stderr


@pytest.fixture
def etl_server(as_bin, tmp_path, api_tokens, openapi):
    """A server whose project p1 has the LEGS' datasources; the p1 author's client."""
    require_servers()
    workdir = tmp_path / "server"
    tokens = "\n".join(block + "\n" for _, block in api_tokens.values())
    config = write_config(workdir, [leg.config for leg in LEGS], tokens)
    server = ApiServer(as_bin, workdir, config).start()
    yield server.client(api_tokens["author"][0], openapi)
    assert server.stop() == 0, server.output()


def run_job(client, name: str, script: str) -> dict:
    client.create_analysis(name, script)
    return client.wait(client.execute(name))


def test_the_cross_datasource_pattern_through_the_server(etl_server):
    job = run_job(etl_server, "cross_datasource", cross_datasource_script())
    assert job["status"] == "completed", job
    assert job["result"] == {"loaded": EXPECTED_LOADED, "segments": EXPECTED_SEGMENTS}


def reader(table: str) -> str:
    """An analysis without datasources that reads `table` of the project DuckDB."""
    return js(f"""
        export default {{
            title: "Reads {table}",
            async run(ctx) {{
                const [row] = await ctx.duckdb.query("SELECT count(*) AS n, min(id) AS first, max(id) AS last, sum(id) AS ids FROM {table}");
                const columns = (await ctx.duckdb.describe("{table}")).columns.map(c => c.name + ":" + c.type);
                return {{ ...row, columns }};
            }},
        }};
    """)


def test_a_load_through_the_server_persists_for_later_jobs_and_a_failed_one_leaves_the_documented_state(etl_server):
    loader = js("""
        export default {
            title: "Loads big from PostgreSQL",
            dependencies: { datasources: ["warehouse"] },
            async run(ctx) { return await ctx.duckdb.load("warehouse", "SELECT id, category, label FROM big WHERE id <= 25000", "big_copy"); },
        };
    """)
    job = run_job(etl_server, "load_big", loader)
    assert job["status"] == "completed", job
    assert job["result"] == {"table": "big_copy", "rows": 25000}
    etl_server.create_analysis("read_big", reader("big_copy"))
    read = etl_server.wait(etl_server.execute("read_big"))
    assert read["status"] == "completed", read
    assert read["result"] == {"n": 25000, "first": 1, "last": 25000, "ids": 312512500,
                              "columns": ["id:BIGINT", "category:BIGINT", "label:VARCHAR"]}

    # A load wrapped in BEGIN / ROLLBACK that fails at row 15,000 (division by zero) leaves the
    # table as it was: all or nothing, as docs/duckdb.md says.
    failing_sql = "SELECT i AS id, 1 / (i - 15000) AS inverse FROM generate_series(1, 30000) AS i"
    wrapped = run_job(etl_server, "load_wrapped", js(f"""
        export default {{
            title: "A failing load in a transaction",
            dependencies: {{ datasources: ["warehouse"] }},
            async run(ctx) {{
                await ctx.duckdb.exec("BEGIN");
                try {{
                    await ctx.duckdb.load("warehouse", "{failing_sql}", "big_copy");
                    await ctx.duckdb.exec("COMMIT");
                }} catch (e) {{
                    await ctx.duckdb.exec("ROLLBACK");
                    throw e;
                }}
            }},
        }};
    """))
    assert wrapped["status"] == "failed", wrapped
    assert "ctx.duckdb.load: datasource 'warehouse': division by zero" in wrapped["error"], wrapped
    read = etl_server.wait(etl_server.execute("read_big"))
    assert read["result"]["n"] == 25000 and read["result"]["columns"] == ["id:BIGINT", "category:BIGINT", "label:VARCHAR"], read

    # Without a transaction of the script's the load is still all or nothing (its own
    # transaction): the table is as it was.
    bare = run_job(etl_server, "load_bare", js(f"""
        export default {{
            title: "A failing load",
            dependencies: {{ datasources: ["warehouse"] }},
            async run(ctx) {{ await ctx.duckdb.load("warehouse", "{failing_sql}", "big_copy"); }},
        }};
    """))
    assert bare["status"] == "failed", bare
    assert "ctx.duckdb.load: datasource 'warehouse': division by zero" in bare["error"], bare
    read = etl_server.wait(etl_server.execute("read_big"))
    assert read["status"] == "completed", read
    assert read["result"] == {"n": 25000, "first": 1, "last": 25000, "ids": 312512500,
                              "columns": ["id:BIGINT", "category:BIGINT", "label:VARCHAR"]}, read

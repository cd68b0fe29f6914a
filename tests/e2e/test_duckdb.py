"""End-to-end tests of the per-project DuckDB (docs/duckdb.md) through the built binary:
`analysis-sandbox run --project NAME --data-dir DIR` (ctx.duckdb) and `analysis-sandbox duckdb`.

What needs separate processes lives here: persistence across a restart, a kill -9 in the middle
of a write loop, signals. The value mapping, every operation and every forbidden statement are
tested in tests/unit/duck_*_test.cpp. No test asserts on speed except one generous bound on
how fast a timed-out DuckDB query lets the process exit.
"""
from __future__ import annotations

import json
import selectors
import signal
import subprocess
import time
from pathlib import Path

import pytest

PROCESS_TIMEOUT_S = 60  # generous: the machine may be shared and busy
SUCCESS, SCRIPT_ERROR, BAD_INPUT, LIMIT_EXCEEDED, CANCELLED, INTERNAL_ERROR = range(6)

# Minutes of DuckDB work if nobody stops it.
LONG_QUERY = "SELECT sum(hash(i)) AS h FROM range(1000000000000) t(i)"


def result_of(done) -> dict:
    assert done.returncode == SUCCESS, done.describe()
    return json.loads(done.stdout)


def json_lines(done) -> list[dict]:
    assert done.returncode == SUCCESS, done.describe()
    return [json.loads(line) for line in done.stdout.splitlines()]


def wait_for_log(proc: subprocess.Popen, text: str) -> list[str]:
    """Reads the run's stderr until a line contains `text`; returns the lines read."""
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + PROCESS_TIMEOUT_S
    lines: list[str] = []
    try:
        while not lines or text not in lines[-1]:
            if time.monotonic() > deadline or not selector.select(timeout=deadline - time.monotonic()):
                proc.kill()
                pytest.fail(f"the run never logged {text!r}; stderr so far:\n{''.join(lines)}")
            line = proc.stderr.readline()
            if line == "":
                proc.wait()
                pytest.fail(f"the run ended (exit {proc.returncode}) before logging {text!r}:\n{''.join(lines)}")
            lines.append(line)
    finally:
        selector.close()
    return lines


# --- where the data lives ------------------------------------------------------------------


def test_default_project_lives_in_data_under_the_working_directory(cli, analysis, tmp_path):
    done = cli("run", analysis("await ctx.duckdb.exec('CREATE TABLE t (v INTEGER)'); return {};"))
    assert done.returncode == SUCCESS, done.describe()
    assert (tmp_path / "data" / "projects" / "default" / "analytics.duckdb").is_file()


def test_project_and_data_dir_options_choose_the_file(cli, analysis, tmp_path):
    data = tmp_path / "elsewhere"
    done = cli("run", analysis("await ctx.duckdb.exec('CREATE TABLE t (v INTEGER)'); return {};"),
               "--project", "sales-eu", "--data-dir", data)
    assert done.returncode == SUCCESS, done.describe()
    assert (data / "projects" / "sales-eu" / "analytics.duckdb").is_file()
    assert not (tmp_path / "data").exists()


def test_a_run_that_never_uses_duckdb_creates_no_files(cli, analysis, tmp_path):
    assert result_of(cli("run", analysis("return { ok: true };"))) == {"ok": True}
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("command", ["run", "duckdb"])
def test_invalid_project_name_is_bad_input_naming_the_value(cli, analysis, command):
    args = ("run", analysis("return {};"), "--project", "../etc") if command == "run" else ("duckdb", "../etc", "SELECT 1")
    done = cli(*args)
    assert done.returncode == BAD_INPUT, done.describe()
    assert "invalid project name '../etc'" in done.stderr
    assert "[A-Za-z0-9_-]" in done.stderr or "letters, digits" in done.stderr


def test_run_help_lists_the_project_options(cli):
    done = cli("run", "--help")
    assert done.returncode == SUCCESS, done.describe()
    assert "--project" in done.stdout and "--data-dir" in done.stdout


# --- persistence -----------------------------------------------------------------------------


def test_tables_persist_across_processes(cli, analysis):
    write = analysis("""
        await ctx.duckdb.exec(`CREATE TABLE events AS
            SELECT i AS id, 'kind ' || (i % 3) AS kind FROM range(1000) t(i)`);
        return {};
    """, name="write.js")
    assert cli("run", write, "--project", "keep").returncode == SUCCESS
    read = analysis("""
        const [stats] = await ctx.duckdb.query('SELECT count(*) AS n, max(id) AS top FROM events');
        return { tables: await ctx.duckdb.tables(), stats, info: await ctx.duckdb.describe('events') };
    """, name="read.js")
    result = result_of(cli("run", read, "--project", "keep"))
    assert result["tables"] == ["events"]
    assert result["stats"] == {"n": 1000, "top": 999}
    assert result["info"]["rowCount"] == 1000
    assert [c["name"] for c in result["info"]["columns"]] == ["id", "kind"]


def test_projects_are_isolated_across_processes(cli, analysis):
    assert cli("run", analysis("await ctx.duckdb.exec('CREATE TABLE only_in_a (v INT)'); return {};"),
               "--project", "a").returncode == SUCCESS
    assert result_of(cli("run", analysis("return { tables: await ctx.duckdb.tables() };"), "--project", "b")) == {"tables": []}
    done = cli("duckdb", "b", "SELECT * FROM only_in_a")
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "only_in_a" in done.stderr


def test_uncommitted_work_of_a_failed_run_is_gone_in_the_next_process(cli, analysis):
    assert cli("run", analysis("await ctx.duckdb.exec('CREATE TABLE ledger (v INT)'); return {};")).returncode == SUCCESS
    failing = analysis("""
        await ctx.duckdb.exec('BEGIN');
        await ctx.duckdb.exec('INSERT INTO ledger VALUES (1), (2)');
        throw new Error('failed halfway');
    """, name="fail.js")
    done = cli("run", failing)
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert json_lines(cli("duckdb", "default", "SELECT count(*) AS n FROM ledger")) == [{"n": 0}]


def test_kill_9_during_a_write_loop_keeps_every_committed_row(as_bin, analysis, cli, tmp_path):
    script = analysis("""
        await ctx.duckdb.exec('CREATE TABLE crash_rows (i INTEGER PRIMARY KEY, note VARCHAR)');
        for (let i = 0; ; i++) {
            await ctx.duckdb.exec(`INSERT INTO crash_rows VALUES (${i}, 'row ${i}')`);
            ctx.log(`committed ${i}`);
            if (i === 150) {
                // Uncommitted work in flight when the process dies must not survive it.
                await ctx.duckdb.exec('BEGIN');
                await ctx.duckdb.exec('INSERT INTO crash_rows SELECT 1000000 + r, NULL FROM range(5000) t(r)');
                ctx.log('open transaction');
                await ctx.sleep(60000);  // killed long before this ends
                await ctx.duckdb.exec('COMMIT');
            }
        }
    """)
    proc = subprocess.Popen([str(as_bin), "run", str(script), "--timeout-ms", "600000"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = wait_for_log(proc, "open transaction")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=PROCESS_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    committed = [int(line.rsplit(" ", 1)[1]) for line in lines if "committed" in line]
    assert committed and committed[-1] == 150
    # The database opens after the crash and holds exactly the committed rows 0..150.
    rows = json_lines(cli("duckdb", "default", "SELECT count(*) AS n, min(i) AS lo, max(i) AS hi FROM crash_rows"))
    assert rows == [{"n": 151, "lo": 0, "hi": 150}]


def test_kill_9_at_an_arbitrary_moment_leaves_a_consistent_database(as_bin, analysis, cli, tmp_path):
    script = analysis("""
        await ctx.duckdb.exec('CREATE TABLE crash_rows (i INTEGER PRIMARY KEY)');
        for (let i = 0; ; i++) {
            await ctx.duckdb.exec(`INSERT INTO crash_rows VALUES (${i})`);
            ctx.log(`committed ${i}`);
        }
    """)
    proc = subprocess.Popen([str(as_bin), "run", str(script), "--timeout-ms", "600000"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = wait_for_log(proc, "committed 300")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=PROCESS_TIMEOUT_S)
        # Whatever was written to the pipe before the kill was committed before it was logged.
        lines += proc.stderr.readlines()
    finally:
        if proc.poll() is None:
            proc.kill()
    last_logged = max(int(line.rsplit(" ", 1)[1]) for line in lines if "committed" in line)
    [stats] = json_lines(cli("duckdb", "default", "SELECT count(*) AS n, min(i) AS lo, max(i) AS hi FROM crash_rows"))
    # Every logged row is there, rows are contiguous, and at most the one insert that was
    # committed but not yet logged is extra.
    assert stats["lo"] == 0
    assert stats["n"] == stats["hi"] + 1
    assert last_logged <= stats["hi"] <= last_logged + 1, (stats, last_logged)


# --- stopping long queries ------------------------------------------------------------------


def test_timeout_interrupts_a_long_duckdb_query(cli, analysis):
    started = time.monotonic()
    done = cli("run", analysis(f"await ctx.duckdb.query('{LONG_QUERY}'); return {{}};"), "--timeout-ms", "500")
    elapsed = time.monotonic() - started
    assert done.returncode == LIMIT_EXCEEDED, done.describe()
    assert "time limit exceeded" in done.stderr
    # The process exits only once DuckDB has stopped (its worker is joined at exit).
    assert elapsed < 0.5 + 10, f"took {elapsed:.1f} s"


def test_sigint_interrupts_a_long_duckdb_query(as_bin, analysis, tmp_path):
    script = analysis(f"ctx.log('started'); await ctx.duckdb.exec('{LONG_QUERY}'); return {{}};")
    proc = subprocess.Popen([str(as_bin), "run", str(script)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_log(proc, "started")
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=PROCESS_TIMEOUT_S)
    assert proc.returncode == CANCELLED, f"exit {proc.returncode}\n{stdout}\n{stderr}"
    assert "cancelled" in stderr


# --- sandbox rules through the CLI ---------------------------------------------------------


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY (SELECT 1) TO 'leak.csv'",
    "ATTACH 'other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "EXPORT DATABASE 'dump'",
    "CALL enable_logging(storage = 'file', storage_path = 'logs')",
])
def test_forbidden_statements_fail_with_a_clear_error(cli, analysis, tmp_path, sql):
    done = cli("run", analysis(f"await ctx.duckdb.exec({json.dumps(sql)}); return {{}};"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "ctx.duckdb.exec" in done.stderr
    assert any(reason in done.stderr for reason in
               ["Permission Error", "the configuration has been locked", "not allowed in the sandbox"]), done.stderr
    assert not (tmp_path / "leak.csv").exists() and not (tmp_path / "dump").exists()
    assert not (tmp_path / "other.duckdb").exists() and not (tmp_path / "logs").exists()


def test_query_result_over_10_mb_is_refused_with_advice(cli, analysis):
    done = cli("run", analysis("await ctx.duckdb.query(\"SELECT i, repeat('x', 100) AS s FROM range(120000) t(i)\"); return {};"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "larger than 10 MB" in done.stderr
    assert "CREATE TABLE" in done.stderr


# --- the operator command --------------------------------------------------------------------


def test_duckdb_command_prints_json_lines(cli):
    assert cli("duckdb", "ops", "CREATE TABLE t AS SELECT i, 'n' || i AS name FROM range(3) t(i)").returncode == SUCCESS
    assert json_lines(cli("duckdb", "ops", "SELECT * FROM t ORDER BY i")) == [
        {"i": 0, "name": "n0"}, {"i": 1, "name": "n1"}, {"i": 2, "name": "n2"}]


def test_duckdb_command_prints_a_table(cli):
    cli("duckdb", "ops", "CREATE TABLE t AS SELECT 1 AS id, 'alpha' AS name, NULL AS missing")
    done = cli("duckdb", "ops", "SELECT * FROM t", "--format", "table")
    assert done.returncode == SUCCESS, done.describe()
    lines = done.stdout.splitlines()
    assert lines[0].split("|") == ["id ", " name  ", " missing"]
    assert set(lines[1].replace("|", "").replace(" ", "")) == {"-"}
    assert lines[2].split("|") == ["1  ", " alpha ", " NULL   "]
    assert lines[-1] == "(1 row)"


def test_duckdb_command_uses_the_data_dir_option(cli, tmp_path):
    data = tmp_path / "d"
    assert cli("duckdb", "ops", "CREATE TABLE t (v INT)", "--data-dir", data).returncode == SUCCESS
    assert (data / "projects" / "ops" / "analytics.duckdb").is_file()
    assert json_lines(cli("duckdb", "ops", "SELECT count(*) AS n FROM t", "--data-dir", data)) == [{"n": 0}]


def test_duckdb_command_sees_what_runs_wrote(cli, analysis):
    assert cli("run", analysis("await ctx.duckdb.exec(\"CREATE TABLE notes AS SELECT 'hi' AS text\"); return {};"),
               "--project", "shared").returncode == SUCCESS
    assert json_lines(cli("duckdb", "shared", "SELECT text FROM notes")) == [{"text": "hi"}]


def test_duckdb_command_reports_sql_errors(cli):
    done = cli("duckdb", "ops", "SELECT * FROM nowhere")
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert done.stderr.startswith("error: ctx.duckdb.query: Catalog Error")
    assert "nowhere" in done.stderr
    assert done.stdout == ""

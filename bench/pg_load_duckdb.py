"""The baseline of bench/pg_load.sh: DuckDB 1.4.4 with its own postgres extension (the
duckdb-ext-postgres wheel, loaded from its local directory, never downloaded by DuckDB) doing
CREATE TABLE ... AS SELECT * FROM postgres_scan(...) into a fresh database file, with the same
memory and thread settings as the project DuckDB (DuckSettings::for_this_machine).

    python pg_load_duckdb.py TABLE
prints "duckdb_postgres_scan rows=<n> ms=<t> rows_per_s=<r>". Server from AS_TEST_PG_*.
"""
import os
import pathlib
import sys
import tempfile
import time

import duckdb
import duckdb_ext

table = sys.argv[1] if len(sys.argv) > 1 else "big"
extensions = pathlib.Path(duckdb_ext.__path__[0]) / "extensions"
dsn = (f"host={os.environ.get('AS_TEST_PG_HOST', '127.0.0.1')} port={os.environ.get('AS_TEST_PG_PORT', '54329')} "
       f"dbname={os.environ.get('AS_TEST_PG_DATABASE', 'as_test')} user={os.environ.get('AS_TEST_PG_USER', 'as_test')} "
       f"password={os.environ['AS_TEST_PG_PASSWORD']} sslmode=disable")
threads = min(8, os.cpu_count() or 1)
memory_gb = min(8.0, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**31)
with tempfile.TemporaryDirectory(prefix="pg-load-duckdb-") as work:
    con = duckdb.connect(str(pathlib.Path(work) / "baseline.duckdb"),
                         config={"extension_directory": str(extensions), "autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False, "threads": threads, "memory_limit": f"{memory_gb:.1f}GB"})
    con.execute("LOAD postgres_scanner")
    started = time.monotonic()
    con.execute(f"CREATE TABLE t AS SELECT * FROM postgres_scan('{dsn}', 'public', '{table}')")
    ms = (time.monotonic() - started) * 1000
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
print(f"duckdb_postgres_scan rows={rows} ms={ms:.0f} rows_per_s={rows / (ms / 1000):.0f}")

#!/usr/bin/env bash
# The PostgreSQL figures of docs/performance.md ("PostgreSQL into DuckDB and into JS rows"),
# against the test PostgreSQL of scripts/test-services (its fixture table `big`: 5,000,000 rows
# x 6 columns: bigint, integer, numeric(12,2), text, timestamptz, boolean):
#  1. ctx.duckdb.load of the whole table (bench/pg_load_bench --mode=load) against DuckDB 1.4.4's
#     own postgres extension (bench/pg_load_duckdb.py: CREATE TABLE AS SELECT * FROM
#     postgres_scan(...)), runs interleaved;
#  2. ctx.datasource.<pg>.query of 100,000 rows into JS rows (--mode=query) against
#     `psql -c "COPY (same SELECT) TO STDOUT" > /dev/null`, interleaved;
#  3. ctx.duckdb.export of 1,000,000 rows back into PostgreSQL (--mode=export), for reference.
# Prints every run and the medians.
#
#   bash bench/pg_load.sh [BUILD_DIR]
#
# Knobs: PG_BENCH_RUNS (3), PG_BENCH_QUERY_ROWS (100000), PG_BENCH_EXPORT_ROWS (1000000),
# PG_BENCH_VENV (~/.cache/analysis-sandbox/pg-bench-venv: where the baseline's wheels are
# installed, from bench/pg_load_requirements.txt, pinned by hash). The server: AS_TEST_PG_*
# (default: `scripts/test-services env`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${BUILD_DIR:-build}}
case $build in /*) ;; *) build=$root/$build ;; esac
runs=${PG_BENCH_RUNS:-3}
query_rows=${PG_BENCH_QUERY_ROWS:-100000}
export_rows=${PG_BENCH_EXPORT_ROWS:-1000000}
venv=${PG_BENCH_VENV:-$HOME/.cache/analysis-sandbox/pg-bench-venv}
bench=$build/bench/pg_load_bench
die() { printf 'bench/pg_load.sh: error: %s\n' "$*" >&2; exit 1; }
[ -x "$bench" ] || die "$bench is missing: build first (make build)"
command -v psql >/dev/null || die "psql is missing (Debian: postgresql-client)"

if [ -z "${AS_TEST_PG_PORT:-}" ]; then
  eval "$("$root/scripts/test-services" env | sed 's/^/export /')"
fi
export PGHOST=$AS_TEST_PG_HOST PGPORT=$AS_TEST_PG_PORT PGDATABASE=$AS_TEST_PG_DATABASE PGUSER=$AS_TEST_PG_USER
export PGPASSWORD=$AS_TEST_PG_PASSWORD
[ "$(psql -XAtc "SELECT count(*) FROM big")" = 5000000 ] || die "the test PostgreSQL has no 5,000,000-row table big (tests/fixtures/postgres.sql)"

# The baseline's Python packages, installed once into their own venv, only from the hashes.
if ! "$venv/bin/python" -c 'import duckdb, duckdb_ext' 2>/dev/null; then
  echo "installing the baseline (bench/pg_load_requirements.txt) into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --require-hashes -r "$root/bench/pg_load_requirements.txt"
fi

# "<name> rows=<n> ms=<t> rows_per_s=<r>" lines -> the rows/s field.
rate() { sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ours_load=() baseline=() ours_query=() psql_copy=()
echo "== PostgreSQL $(psql -XAtc 'SHOW server_version') on $PGHOST:$PGPORT, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$runs"); do
  line=$("$bench" --mode=load --table=big); echo "run $run: ctx.duckdb.load       $line"; ours_load+=("$(rate <<<"$line")")
  line=$("$venv/bin/python" "$root/bench/pg_load_duckdb.py" big); echo "run $run: duckdb postgres_scan  $line"; baseline+=("$(rate <<<"$line")")
  line=$("$bench" --mode=query --rows="$query_rows"); echo "run $run: ctx.datasource query  $line"; ours_query+=("$(rate <<<"$line")")
  started=$(date +%s%N)
  psql -Xqc "COPY (SELECT * FROM big WHERE id <= $query_rows) TO STDOUT" >/dev/null
  ms=$(( ($(date +%s%N) - started) / 1000000 ))
  line="psql_copy rows=$query_rows ms=$ms rows_per_s=$(( query_rows * 1000 / (ms > 0 ? ms : 1) ))"
  echo "run $run: psql COPY TO STDOUT  $line"; psql_copy+=("$(rate <<<"$line")")
done
export_line=$("$bench" --mode=export --rows="$export_rows")
echo "export: $export_line"

load_median=$(printf '%s\n' "${ours_load[@]}" | median)
baseline_median=$(printf '%s\n' "${baseline[@]}" | median)
query_median=$(printf '%s\n' "${ours_query[@]}" | median)
psql_median=$(printf '%s\n' "${psql_copy[@]}" | median)
echo
echo "== Medians of $runs runs (rows/s)"
awk -v a="$load_median" -v b="$baseline_median" 'BEGIN { printf "ctx.duckdb.load 5,000,000 x 6:   %d vs DuckDB postgres_scan %d: %.2fx\n", a, b, a / b }'
awk -v a="$query_median" -v b="$psql_median" -v n="$query_rows" 'BEGIN { printf "query %d rows into JS rows: %d vs psql COPY TO STDOUT %d: %.2fx\n", n, a, b, a / b }'
echo "ctx.duckdb.export $export_line"

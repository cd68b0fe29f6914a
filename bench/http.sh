#!/usr/bin/env bash
# The REST API figures of docs/performance.md: starts `analysis-sandbox serve` on the embedded
# defaults in a scratch directory, runs bench/http_bench (execute → completed latency, throughput
# with 16 clients) and wrk on GET /api/analysis, then stops the server.
#
#   bash bench/http.sh [BUILD_DIR]
#
# Knobs: HTTP_RUNS (1000), HTTP_CLIENTS (16), HTTP_PER_CLIENT (100), WRK_SECONDS (10),
# WRK_CONNECTIONS (16), WRK_THREADS (2), SERVER_CPU / CLIENT_CPU (taskset pinning, unset: none).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${BUILD_DIR:-build}}
case $build in /*) ;; *) build=$root/$build ;; esac
bin=$build/src/cli/analysis-sandbox
client=$build/bench/http_bench
[ -x "$bin" ] && [ -x "$client" ] || { echo "bench/http.sh: build first (make build)" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  echo "bench/http.sh: installing wrk (Debian) for the GET /api/analysis figure" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q wrk >/dev/null; else sudo apt-get install -y -q wrk >/dev/null; fi
fi

pin() { local cpu=$1; shift; if [ -n "$cpu" ]; then taskset -c "$cpu" "$@"; else "$@"; fi; }

work=$(mktemp -d /tmp/as-http-bench.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

server=("$bin" serve --listen 127.0.0.1:0)
[ -n "${SERVER_CPU:-}" ] && server=(taskset -c "$SERVER_CPU" "${server[@]}")
# exec: $! must be the server itself, so that the cleanup's kill reaches it.
(cd "$work" && unset ANALYSIS_SANDBOX_CONFIG && exec "${server[@]}" >"$work/out" 2>"$work/err") &
server_pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$work/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/out")
[ -n "$port" ] || { cat "$work/err" >&2; echo "bench/http.sh: the server did not start" >&2; exit 1; }
token=$(cat "$work/data/local-author-token")

echo "== REST API (server pid $server_pid, port $port, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
pin "${CLIENT_CPU:-}" "$client" --port="$port" --token="$token" --runs="${HTTP_RUNS:-1000}" \
  --clients="${HTTP_CLIENTS:-16}" --per-client="${HTTP_PER_CLIENT:-100}"

echo
echo "== wrk GET /api/analysis (${WRK_SECONDS:-10} s, ${WRK_CONNECTIONS:-16} connections, ${WRK_THREADS:-2} threads)"
pin "${CLIENT_CPU:-}" wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-16}" -d"${WRK_SECONDS:-10}s" --latency \
  -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/analysis"

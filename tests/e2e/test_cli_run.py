"""End-to-end tests of `analysis-sandbox run`: one test per promise of docs/cli.md and docs/js-api.md.

Exit codes: 0 success, 1 script error, 2 bad input, 3 limit exceeded, 4 cancelled, 5 internal error.
No test asserts on speed; the limit tests only check a generous upper bound on wall time.
"""
from __future__ import annotations

import json
import re
import selectors
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
PROCESS_TIMEOUT_S = 60  # generous: the machine may be shared and busy

SUCCESS, SCRIPT_ERROR, BAD_INPUT, LIMIT_EXCEEDED, CANCELLED, INTERNAL_ERROR = range(6)

# "[2024-01-15T02:00:00.123Z] info: message"
LOG_LINE = re.compile(r"^\[(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\] (info|error): (.*)$")
TRUNCATION_MARKER = "[log truncated:"


def log_lines(stderr: str) -> list[tuple[str, str, str]]:
    """The (timestamp, level, message) of every log line on stderr."""
    return [m.groups() for m in map(LOG_LINE.match, stderr.splitlines()) if m]


def result_of(done) -> dict:
    assert done.returncode == SUCCESS, done.describe()
    value = json.loads(done.stdout)
    assert isinstance(value, dict), done.describe()
    return value


# --- results ---------------------------------------------------------------------------------


def test_result_is_printed_as_json_on_stdout(cli, analysis):
    script = analysis("return { greeting: 'hi', n: 42, nested: { list: [1, 'two', null, true] } };")
    done = cli("run", script)
    assert result_of(done) == {"greeting": "hi", "n": 42, "nested": {"list": [1, "two", None, True]}}
    assert done.stdout.count("\n") == 1, "stdout holds exactly one line: the result"


def test_stdout_holds_only_the_result_even_when_the_script_logs(cli, analysis):
    script = analysis("""
        ctx.log('to stderr');
        ctx.error('also to stderr');
        return { ok: true };
    """)
    done = cli("run", script)
    assert json.loads(done.stdout) == {"ok": True}, done.describe()
    assert "to stderr" not in done.stdout


def test_result_keeps_the_key_order_of_the_script(cli, analysis):
    done = cli("run", analysis("return { zebra: 1, apple: 2, mango: 3 };"))
    assert done.returncode == SUCCESS, done.describe()
    assert list(json.loads(done.stdout)) == ["zebra", "apple", "mango"]


def test_result_follows_the_json_rules_for_special_values(cli, analysis):
    script = analysis("""
        return {
            date: new Date(Date.UTC(2024, 0, 15, 2, 30, 0, 5)),
            big: 12345678901234567890n,
            bytes: new Uint8Array([1, 2, 3, 255]),
            nan: NaN,
            inf: -Infinity,
            skipped: undefined,
            fn: () => 1,
            list: [undefined, () => 1, 1.5],
        };
    """)
    assert result_of(cli("run", script)) == {
        "date": "2024-01-15T02:30:00.005Z",
        "big": "12345678901234567890",
        "bytes": "AQID/w==",
        "nan": None,
        "inf": None,
        "list": [None, None, 1.5],
    }


def test_async_run_is_awaited(cli, analysis):
    script = analysis("""
        await ctx.sleep(1);
        return { value: await Promise.resolve(7) };
    """)
    assert result_of(cli("run", script)) == {"value": 7}


@pytest.mark.parametrize(
    ("returned", "described"),
    [("[1, 2, 3]", "an array"), ("42", "a number"), ("'text'", "a string"), ("null", "null"),
     ("undefined", "undefined"), ("new Map()", "an instance of Map")],
)
def test_run_must_return_a_plain_object(cli, analysis, returned, described):
    done = cli("run", analysis(f"return {returned};"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert done.stdout == ""
    assert "must return a plain object" in done.stderr
    assert described in done.stderr


def test_array_result_is_a_script_error(cli, analysis):
    done = cli("run", analysis("return [{ a: 1 }, { a: 2 }];"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "got an array" in done.stderr


# --- logs ------------------------------------------------------------------------------------


def test_ctx_log_writes_timestamped_info_lines_to_stderr(cli, analysis):
    done = cli("run", analysis("ctx.log('hello', 'world', 42); return {};"))
    assert done.returncode == SUCCESS, done.describe()
    lines = log_lines(done.stderr)
    assert len(lines) == 1, done.describe()
    timestamp, level, message = lines[0]
    assert level == "info"
    assert message == "hello world 42"
    logged_at = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert abs(datetime.now(timezone.utc) - logged_at) < timedelta(hours=1), "timestamps are current UTC times"


def test_ctx_error_writes_error_level_lines_to_stderr(cli, analysis):
    done = cli("run", analysis("ctx.log('first'); ctx.error('second went wrong'); ctx.log('third'); return {};"))
    assert done.returncode == SUCCESS, done.describe()
    assert [(level, message) for _, level, message in log_lines(done.stderr)] == [
        ("info", "first"), ("error", "second went wrong"), ("info", "third")]


def test_ctx_log_formats_objects_and_arrays_inline(cli, analysis):
    done = cli("run", analysis("ctx.log('row', { id: 1, tags: ['a', 'b'] }, [1, 2], null, 5n); return {};"))
    assert done.returncode == SUCCESS, done.describe()
    [(_, _, message)] = log_lines(done.stderr)
    assert message == 'row { id: 1, tags: [ "a", "b" ] } [ 1, 2 ] null 5n'


def test_log_flood_is_truncated_at_max_log_lines(cli, analysis):
    script = analysis("for (let i = 0; i < 1000; i++) ctx.log('line', i); return { done: true };")
    done = cli("run", script, "--max-log-lines", "10")
    assert result_of(done) == {"done": True}
    lines = log_lines(done.stderr)
    normal = [m for _, level, m in lines if not m.startswith(TRUNCATION_MARKER)]
    markers = [(level, m) for _, level, m in lines if m.startswith(TRUNCATION_MARKER)]
    assert len(normal) <= 10
    assert normal[:10] == [f"line {i}" for i in range(len(normal))]
    assert len(markers) == 1, done.describe()
    assert markers[0][0] == "error"
    assert "max_log_lines=10" in markers[0][1]
    assert "line 999" not in done.stderr


def test_log_flood_is_truncated_at_max_log_bytes(cli, analysis):
    script = analysis("for (let i = 0; i < 1000; i++) ctx.log('x'.repeat(100)); return {};")
    done = cli("run", script, "--max-log-bytes", "1000")
    assert done.returncode == SUCCESS, done.describe()
    lines = log_lines(done.stderr)
    normal = [m for _, _, m in lines if not m.startswith(TRUNCATION_MARKER)]
    assert sum(len(m) for m in normal) <= 1000
    assert any(m.startswith(TRUNCATION_MARKER) and "byte limit" in m for _, _, m in lines), done.describe()


# --- params ----------------------------------------------------------------------------------


def test_params_given_inline_as_json_reach_run(cli, analysis):
    script = analysis("return { month: params.month, twice: params.limit * 2, tags: params.tags };")
    done = cli("run", script, "--params", '{"month": "2024-01", "limit": 5, "tags": ["a", "b"]}')
    assert result_of(done) == {"month": "2024-01", "twice": 10, "tags": ["a", "b"]}


def test_params_can_be_read_from_a_file_with_at(cli, analysis, tmp_path):
    params_file = tmp_path / "my params.json"
    params_file.write_text('{"name": "Ada", "n": 3}', encoding="utf-8")
    done = cli("run", analysis("return { name: params.name, n: params.n };"), "--params", f"@{params_file}")
    assert result_of(done) == {"name": "Ada", "n": 3}


def test_params_default_to_an_empty_object(cli, analysis):
    done = cli("run", analysis("return { keys: Object.keys(params), type: typeof params };"))
    assert result_of(done) == {"keys": [], "type": "object"}


def test_invalid_params_json_is_bad_input(cli, analysis):
    done = cli("run", analysis("return {};"), "--params", '{"month": 2024-01}')
    assert done.returncode == BAD_INPUT, done.describe()
    assert "--params is not valid JSON" in done.stderr
    assert "parse error" in done.stderr  # the parser's own account: where and what


@pytest.mark.parametrize("params", ["[1, 2]", '"text"', "42", "null", "true"])
def test_params_that_are_not_an_object_are_bad_input(cli, analysis, params):
    done = cli("run", analysis("return {};"), "--params", params)
    assert done.returncode == BAD_INPUT, done.describe()
    assert "--params must be a JSON object" in done.stderr


def test_missing_params_file_is_bad_input_naming_the_path(cli, analysis, tmp_path):
    missing = tmp_path / "nowhere" / "params.json"
    done = cli("run", analysis("return {};"), "--params", f"@{missing}")
    assert done.returncode == BAD_INPUT, done.describe()
    assert str(missing) in done.stderr


def test_invalid_json_in_params_file_is_bad_input(cli, analysis, tmp_path):
    params_file = tmp_path / "params.json"
    params_file.write_text("{not json", encoding="utf-8")
    done = cli("run", analysis("return {};"), "--params", f"@{params_file}")
    assert done.returncode == BAD_INPUT, done.describe()
    assert "not valid JSON" in done.stderr


# --- bad input -------------------------------------------------------------------------------


def test_missing_analysis_file_is_bad_input_naming_the_path(cli, tmp_path):
    missing = tmp_path / "does_not_exist.js"
    done = cli("run", missing)
    assert done.returncode == BAD_INPUT, done.describe()
    assert str(missing) in done.stderr
    assert "No such file" in done.stderr


def test_unknown_option_is_bad_input(cli, analysis):
    done = cli("run", analysis("return {};"), "--no-such-option")
    assert done.returncode == BAD_INPUT, done.describe()
    assert "--no-such-option" in done.stderr


def test_out_of_range_limit_is_bad_input(cli, analysis):
    done = cli("run", analysis("return {};"), "--timeout-ms", "0")
    assert done.returncode == BAD_INPUT, done.describe()
    assert "--timeout-ms" in done.stderr


def test_missing_subcommand_is_bad_input(cli):
    done = cli()
    assert done.returncode == BAD_INPUT, done.describe()


# --- script errors ---------------------------------------------------------------------------


def test_syntax_error_reports_file_line_and_column(cli, write_script, tmp_path):
    (tmp_path / "nested").mkdir()
    script = write_script("""
        export default {
            title: 'broken',
            run(ctx) { return { a: 1 +; }; }
        };
    """, name="nested/my_analysis.js")
    done = cli("run", script)
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "SyntaxError" in done.stderr
    assert re.search(r"\bmy_analysis\.js:3:\d+", done.stderr), done.describe()
    assert str(tmp_path) not in done.stderr, "locations use the file's basename"


def test_syntax_error_location_is_shown_once(cli, write_script):
    script = write_script("export default {\n  title: 'x',\n  run() { return { a: 1 +; }; }\n};\n")
    done = cli("run", script)
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert len(re.findall(r"analysis\.js:3:\d+", done.stderr)) == 1, done.describe()


def test_thrown_error_reports_message_and_stack(cli, write_script):
    script = write_script("""
        function explode(x) {
            throw new Error('boom: ' + x);
        }
        export default {
            title: 'thrower',
            run(ctx, params) { return explode(41 + 1); }
        };
    """, name="thrower.js")
    done = cli("run", script)
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert done.stdout == ""
    assert "Error: boom: 42" in done.stderr
    assert re.search(r"at explode \(thrower\.js:2:\d+\)", done.stderr), done.describe()
    assert re.search(r"at run \(thrower\.js:6:\d+\)", done.stderr), done.describe()


def test_rejected_promise_is_a_script_error(cli, analysis):
    done = cli("run", analysis("await ctx.sleep(1); throw new TypeError('late failure');"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "TypeError: late failure" in done.stderr


def test_thrown_non_error_value_is_reported(cli, analysis):
    done = cli("run", analysis("throw 'just a string';"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "just a string" in done.stderr


@pytest.mark.parametrize(
    ("source", "expected"),
    [("export const x = 1;", "no default export"),
     ("export default { run() { return {}; } };", "needs a `title` string"),
     ("export default { title: 'no run' };", "needs a `run(ctx, params)` function")],
)
def test_wrong_analysis_shape_is_a_script_error(cli, write_script, source, expected):
    done = cli("run", write_script(source))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert expected in done.stderr


def test_promise_that_never_settles_is_a_script_error(cli, analysis):
    done = cli("run", analysis("return await new Promise(() => {});"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "can never finish" in done.stderr


# --- limits ----------------------------------------------------------------------------------


def test_infinite_loop_stops_at_the_timeout(cli, analysis):
    started = time.monotonic()
    done = cli("run", analysis("while (true) {}"), "--timeout-ms", "300")
    assert done.returncode == LIMIT_EXCEEDED, done.describe()
    assert "time limit exceeded" in done.stderr
    assert "timeout_ms=300" in done.stderr
    assert time.monotonic() - started < 30, "the run must end at the 300 ms limit, not the 30 s default"


def test_timeout_also_ends_a_run_that_keeps_awaiting(cli, analysis):
    done = cli("run", analysis("while (true) { await ctx.sleep(10); }"), "--timeout-ms", "300")
    assert done.returncode == LIMIT_EXCEEDED, done.describe()
    assert "timeout_ms=300" in done.stderr


def test_memory_bomb_stops_at_the_memory_limit(cli, analysis):
    script = analysis("""
        const hoard = [];
        while (true) hoard.push('x'.repeat(1000) + hoard.length);
    """)
    done = cli("run", script, "--memory-mb", "32")
    assert done.returncode == LIMIT_EXCEEDED, done.describe()
    assert "memory limit exceeded" in done.stderr
    assert "memory_bytes=33554432" in done.stderr


def test_deep_recursion_stops_at_the_stack_limit(cli, analysis):
    script = analysis("""
        function down(n) { return down(n + 1) + 1; }
        return { depth: down(0) };
    """)
    done = cli("run", script)
    assert done.returncode == LIMIT_EXCEEDED, done.describe()
    assert "stack size limit exceeded" in done.stderr
    assert "stack_bytes=1048576" in done.stderr


def test_result_over_the_size_limit_is_refused(cli, analysis):
    done = cli("run", analysis("return { blob: 'x'.repeat(2 * 1024 * 1024) };"), "--max-result-mb", "1")
    assert done.returncode == LIMIT_EXCEEDED, done.describe()
    assert done.stdout == ""
    assert "result size limit exceeded" in done.stderr
    assert "max_result_bytes=1048576" in done.stderr


def test_result_under_the_size_limit_is_accepted(cli, analysis):
    done = cli("run", analysis("return { blob: 'x'.repeat(512 * 1024) };"), "--max-result-mb", "1")
    assert len(result_of(done)["blob"]) == 512 * 1024


# --- cancellation ----------------------------------------------------------------------------


def _start_and_wait_until_running(as_bin: Path, script: Path) -> subprocess.Popen:
    """Starts a run and returns once its first log line ('started') is on stderr."""
    proc = subprocess.Popen([str(as_bin), "run", str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + PROCESS_TIMEOUT_S
    line = ""
    while "started" not in line:
        if time.monotonic() > deadline or not selector.select(timeout=deadline - time.monotonic()):
            proc.kill()
            pytest.fail("the run never logged 'started'")
        line = proc.stderr.readline()
        if line == "":
            proc.wait()
            pytest.fail(f"the run ended before it was signalled (exit code {proc.returncode})")
    selector.close()
    time.sleep(0.3)  # well inside the busy loop
    return proc


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_cancels_a_busy_run(as_bin, analysis, sig):
    script = analysis("ctx.log('started'); while (true) {}")
    proc = _start_and_wait_until_running(as_bin, script)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=PROCESS_TIMEOUT_S)
    assert proc.returncode == CANCELLED, f"exit {proc.returncode}\n{stdout}\n{stderr}"
    assert stdout == ""
    assert "cancelled" in stderr


def test_sigint_cancels_a_run_waiting_in_ctx_sleep(as_bin, analysis):
    script = analysis("ctx.log('started'); await ctx.sleep(60000); return {};")
    proc = _start_and_wait_until_running(as_bin, script)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=PROCESS_TIMEOUT_S)
    assert proc.returncode == CANCELLED, f"exit {proc.returncode}\n{stdout}\n{stderr}"


# --- security --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "blocked"),
    [("eval('1')", "eval()"),
     ("new Function('return 1')()", "Function()"),
     ("Function('return 1')()", "Function()"),
     ("(function () {}).constructor('return 1')()", "Function()"),
     ("(async function () {}).constructor('return 1')", "AsyncFunction()"),
     ("(function* () {}).constructor('yield 1')", "GeneratorFunction()"),
     ("(async function* () {}).constructor('yield 1')", "AsyncGeneratorFunction()")],
)
def test_dynamic_code_is_not_allowed(cli, analysis, expression, blocked):
    done = cli("run", analysis(f"return {{ value: {expression} }};"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "dynamic code is not allowed" in done.stderr
    assert blocked in done.stderr


def test_static_import_is_not_allowed(cli, write_script):
    script = write_script("""
        import fs from 'fs';
        export default { title: 'importer', run() { return {}; } };
    """)
    done = cli("run", script)
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "import of module 'fs' is not allowed" in done.stderr


def test_dynamic_import_is_not_allowed(cli, analysis):
    done = cli("run", analysis("const fs = await import('fs'); return {};"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "import of module 'fs' is not allowed" in done.stderr


@pytest.mark.parametrize("name", ["std", "os", "require", "process", "fetch", "XMLHttpRequest"])
def test_host_globals_are_absent(cli, analysis, name):
    done = cli("run", analysis(f"return {{ type: typeof globalThis[{name!r}] }};"))
    assert result_of(done) == {"type": "undefined"}


# --- ctx utilities ---------------------------------------------------------------------------


def test_ctx_sleep_timers_settle_in_due_order_under_promise_all(cli, analysis):
    script = analysis("""
        const wait = async (name, ms) => { await ctx.sleep(ms); ctx.log(name); return name; };
        const names = await Promise.all([wait('slow', 600), wait('fast', 50), wait('medium', 300)]);
        return { names };
    """)
    done = cli("run", script)
    assert result_of(done) == {"names": ["slow", "fast", "medium"]}
    assert [m for _, _, m in log_lines(done.stderr)] == ["fast", "medium", "slow"]


@pytest.mark.parametrize("argument", ["-1", "'100'", "NaN", "Infinity", ""])
def test_ctx_sleep_rejects_invalid_durations(cli, analysis, argument):
    done = cli("run", analysis(f"await ctx.sleep({argument}); return {{}};"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "ctx.sleep(ms) needs a finite number of milliseconds >= 0" in done.stderr


def test_ctx_should_stop_is_false_during_a_normal_run(cli, analysis):
    done = cli("run", analysis("await ctx.sleep(1); return { stop: ctx.shouldStop() };"))
    assert result_of(done) == {"stop": False}


def test_ctx_metadata_set_get_has_delete_list(cli, analysis):
    script = analysis("""
        ctx.metadata.set('checkpoint', { last_id: 41, at: '2024-01-15' });
        ctx.metadata.set('count', 3);
        const before = ctx.metadata.list();
        const removed = ctx.metadata.delete('count');
        return {
            checkpoint: ctx.metadata.get('checkpoint'),
            has_count: ctx.metadata.has('count'),
            missing_is_undefined: ctx.metadata.get('nope') === undefined,
            removed, before, after: ctx.metadata.list(),
        };
    """)
    assert result_of(cli("run", script)) == {
        "checkpoint": {"last_id": 41, "at": "2024-01-15"},
        "has_count": False,
        "missing_is_undefined": True,
        "removed": True,
        "before": ["checkpoint", "count"],
        "after": ["checkpoint"],
    }


def test_ctx_metadata_refuses_values_without_a_json_form(cli, analysis):
    done = cli("run", analysis("ctx.metadata.set('f', () => 1); return {};"))
    assert done.returncode == SCRIPT_ERROR, done.describe()
    assert "must be JSON-serialisable" in done.stderr


# --- help ------------------------------------------------------------------------------------


def test_help_documents_the_run_command_and_exit_codes(cli):
    done = cli("--help")
    assert done.returncode == SUCCESS, done.describe()
    assert re.search(r"^\s+run\s", done.stdout, re.MULTILINE), done.stdout
    for text in ["0 success", "1 script error", "2 bad input", "3 limit exceeded", "4 cancelled", "5 internal error"]:
        assert text in done.stdout


def test_run_help_lists_every_option(cli):
    done = cli("run", "--help")
    assert done.returncode == SUCCESS, done.describe()
    for option in ["--params", "--timeout-ms", "--memory-mb", "--stack-kb", "--max-log-lines",
                   "--max-log-bytes", "--max-result-mb"]:
        assert option in done.stdout


# --- bundled examples ------------------------------------------------------------------------

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.js"))


def test_there_are_bundled_examples():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_with_its_params_file(cli, example):
    params = EXAMPLES_DIR / "params" / f"{example.stem}.json"
    args = ["--params", f"@{params}"] if params.exists() else []
    result_of(cli("run", example, *args))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_with_parameter_defaults(cli, example):
    result_of(cli("run", example))


def test_frame_memory_limit_is_set_by_an_option(cli, analysis):
    path = analysis("const df = ctx.DataFrame({ a: Array.from({ length: 200000 }, (_, i) => i) });\n"
                    "return { height: df.height };")
    assert result_of(cli("run", path)) == {"height": 200000}
    limited = cli("run", path, "--frame-memory-mb", "1")
    assert limited.returncode == 1, limited.describe()
    assert "DataFrame memory limit exceeded" in limited.stderr
    assert "frame_memory_bytes=1048576" in limited.stderr

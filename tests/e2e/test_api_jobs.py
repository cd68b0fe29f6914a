"""REST API: execute, job status (?wait_ms), stop, the SSE event stream, run history, dynamic
parameter options, the 10 MB result limit and nested ctx.runAnalysis.

Every response is checked against the OpenAPI document by the client (api_client.py). No test
asserts on speed: waits are long-polls (?wait_ms) or polls with generous deadlines.
"""
from __future__ import annotations

import threading
import time

import pytest

from conftest_api import GREETER, LOOPER, js

OPTIONS = js("""
    export default {
        title: "Options",
        parameters: {
            country: { type: "select", options: ["USA", "France"], default: "USA" },
            city: {
                type: "select",
                options: async (ctx, params) => params.country === "France"
                    ? [{ value: "par", label: "Paris" }, { value: "lyo", label: "Lyon" }]
                    : [{ value: "nyc", label: "New York City" }, { value: "la", label: "Los Angeles" }],
            },
            grouped: {
                type: "select",
                required: false,
                options: (ctx, params) => [
                    { label: "Premium Cities", options: [{ value: "nyc", label: "New York City" }, { value: "sf", label: "San Francisco" }] },
                    { label: "Standard Cities", options: [{ value: "aus", label: "Austin" }, { value: "den", label: "Denver" }] },
                ],
            },
            broken: { type: "select", required: false, options: (ctx) => { throw new Error("lookup table is missing"); } },
            fixed: { type: "select", required: false, options: [1, { value: "b", label: "Bee" }, { label: "More", options: ["c"] }] },
            plain: { type: "select", required: false, options: () => [1, 2.5, "c", { value: "d" }, { group: "G", options: ["e"] }] },
            odd: { type: "select", required: false, options: () => [{ value: 1 }, { title: "not an option" }] },
            none: { type: "select", required: false, options: () => undefined },
        },
        run(ctx, params) { return params; },
    };
""")


@pytest.fixture(scope="module")
def greeter(author):
    author.create_analysis("jobs_greeter", GREETER)
    return "jobs_greeter"


@pytest.fixture
def looper(author, unique_name):
    """A fresh looping analysis per test (one running run per analysis), stopped afterwards."""
    name = unique_name("looper")
    author.create_analysis(name, LOOPER)
    yield name
    for run in author.get(f"/api/analysis/{name}/runs").json["runs"]:
        if run["status"] in ("pending", "running"):
            author.delete(f"/api/analysis/jobs/{run['job_id']}")


# --- execute and status ----------------------------------------------------------------------


def test_execute_is_async_and_the_job_completes(user, greeter):
    response = user.post(f"/api/analysis/{greeter}/execute", {"parameters": {"name": "Ada", "times": 2}})
    assert response.status == 202, response.describe()
    assert response.json["status"] == "pending"
    job_id = response.json["job_id"]
    done = user.wait(job_id)
    assert done["status"] == "completed", done
    assert done["result"] == {"greeting": "Hello, Ada", "times": 2, "colour": "red", "day": None}
    assert done["parameters"] == {"name": "Ada", "times": 2, "colour": "red"}, "defaults are filled in"
    assert done["job_id"] == job_id and done["analysis_id"] == greeter and done["analysis_version"] == 1
    assert done["trigger_type"] == "manual" and done["executed_by"] == "user" and done["parent_run_id"] is None
    assert done["error"] is None and done["result_size_bytes"] > 0
    assert [line.split("] ", 1)[1] for line in done["logs"]] == ["info: hello Ada 0", "info: hello Ada 1"]
    assert done["logs_truncated"] is False


@pytest.mark.parametrize("body", [None, b"", {}, {"parameters": None}, {"parameters": {}}])
def test_execute_without_parameters_uses_the_defaults(user, greeter, body):
    if isinstance(body, bytes):
        response = user.request("POST", f"/api/analysis/{greeter}/execute", body=body)
    else:
        response = user.post(f"/api/analysis/{greeter}/execute", body)
    assert response.status == 202, response.describe()
    assert user.wait(response.json["job_id"])["result"]["greeting"] == "Hello, world"


def test_a_special_date_value_is_resolved(user, greeter):
    job_id = user.execute(greeter, {"day": "2024-01"})
    assert user.wait(job_id)["result"]["day"] == "2024-01-01"


@pytest.mark.parametrize("parameters,problems", [
    ({"colour": "blue"}, {"colour": "must be one of"}),
    ({"times": 9}, {"times": "must be at most 5, got 9"}),
    ({"times": "many"}, {"times": "'times'"}),
    ({"name": "R2D2"}, {"name": "^[A-Za-z]+$"}),
    ({"day": "2024-02-30"}, {"day": "'day'"}),
    ({"shade": 1}, {"shade": "unknown parameter 'shade' (this analysis has: name, times, colour, day)"}),
    ({"times": 0, "colour": 3, "extra": True}, {"times": "at least 1", "colour": "colour", "extra": "unknown parameter"}),
])
def test_parameter_errors_are_400_naming_each_parameter(user, greeter, parameters, problems):
    runs_before = len(user.get(f"/api/analysis/{greeter}/runs", query={"limit": 1000}).json["runs"])
    response = user.post(f"/api/analysis/{greeter}/execute", {"parameters": parameters})
    assert response.status == 400, response.describe()
    error = response.error
    assert error["code"] == "bad_request" and error["message"].startswith("invalid parameters: ")
    found = {p["parameter"]: p["message"] for p in error["details"]["parameters"]}
    assert set(found) == set(problems), found
    for name, text in problems.items():
        assert text in found[name], (name, found[name])
    assert len(user.get(f"/api/analysis/{greeter}/runs", query={"limit": 1000}).json["runs"]) == runs_before, "nothing was queued"


@pytest.mark.parametrize("parameters", [[1], "name=Ada", 5, True])
def test_parameters_must_be_an_object(user, greeter, parameters):
    response = user.post(f"/api/analysis/{greeter}/execute", {"parameters": parameters})
    assert response.status == 400, response.describe()
    assert response.error["message"].startswith("'parameters' must be an object")
    assert response.error["details"] == {"field": "parameters"}


def test_a_script_error_fails_the_job_with_its_message(author, user, unique_name):
    name = unique_name("thrower")
    author.create_analysis(name, js("""
        export default {
            title: "Thrower",
            run(ctx) {
                ctx.log("about to fail");
                throw new Error("no data for March");
            },
        };
    """))
    done = user.wait(user.execute(name))
    assert done["status"] == "failed"
    assert "no data for March" in done["error"]
    assert done["result"] is None
    assert any("about to fail" in line for line in done["logs"])


def test_a_result_that_is_not_a_plain_object_fails_the_run(author, user, unique_name):
    name = unique_name("shapes")
    author.create_analysis(name, js("""
        export default {
            title: "Shapes",
            parameters: { kind: { type: "string" } },
            run(ctx, params) {
                return { list: [1, "two", null], number: 42, text: "plain", object: { a: [1] } }[params.kind];
            },
        };
    """))
    for kind, shape in [("list", "an array"), ("number", "a number"), ("text", "a string")]:
        done = user.wait(user.execute(name, {"kind": kind}))
        assert done["status"] == "failed" and done["result"] is None, done
        assert "run() must return a plain object" in done["error"] and shape in done["error"], done["error"]
    assert user.wait(user.execute(name, {"kind": "object"}))["result"] == {"a": [1]}


# --- wait_ms ---------------------------------------------------------------------------------


def test_wait_ms_returns_the_finished_status(user, greeter):
    job_id = user.execute(greeter)
    done = user.job(job_id, wait_ms=30_000)
    assert done["status"] == "completed", done


def test_wait_ms_returns_at_the_timeout_while_the_job_runs(user, looper):
    job_id = user.execute(looper)
    user.wait_for_status(job_id, "running")
    deadline = time.monotonic() + 60
    while not user.job(job_id)["logs"]:  # it logs once, then loops
        assert time.monotonic() < deadline, "the looper did not log"
        time.sleep(0.02)
    status = user.job(job_id, wait_ms=200)
    assert status["status"] == "running" and status["result"] is None and status["completed_at"] is None
    assert [line.split("] ", 1)[1] for line in status["logs"]] == ["info: started loop"], "the log so far"


@pytest.mark.parametrize("value", ["-1", "60001", "abc", "1.5", ""])
def test_wait_ms_out_of_range_is_400(user, greeter, value):
    job_id = user.execute(greeter)
    response = user.get(f"/api/analysis/jobs/{job_id}?wait_ms={value}")
    assert response.status == 400, response.describe()
    assert response.error["message"] == f"query parameter 'wait_ms' must be an integer from 0 to 60000, got '{value}'"


# --- stop ------------------------------------------------------------------------------------


def test_stop_while_looping(user, looper):
    job_id = user.execute(looper)
    user.wait_for_status(job_id, "running")
    stopped = user.delete(f"/api/analysis/jobs/{job_id}")
    assert stopped.status == 200, stopped.describe()
    assert stopped.json == {"job_id": job_id, "outcome": "stop_requested", "status": "running"}
    done = user.wait(job_id)
    assert done["status"] == "cancelled" and done["error"], done
    assert done["completed_at"] is not None
    again = user.delete(f"/api/analysis/jobs/{job_id}")
    assert again.status == 200 and again.json == {"job_id": job_id, "outcome": "already_finished", "status": "cancelled"}


def test_stop_a_pending_job_cancels_it_at_once(user, looper):
    first = user.execute(looper)
    user.wait_for_status(first, "running")
    second = user.execute(looper, {"mode": "quick"})
    stopped = user.delete(f"/api/analysis/jobs/{second}")
    assert stopped.json == {"job_id": second, "outcome": "cancelled", "status": "cancelled"}
    assert user.job(second)["started_at"] is None
    user.delete(f"/api/analysis/jobs/{first}")
    assert user.wait(first)["status"] == "cancelled"
    assert user.job(second)["status"] == "cancelled", "a cancelled pending job never runs"


def test_two_executes_of_one_analysis_the_second_waits(author, user, looper, greeter):
    first = user.execute(looper)
    user.wait_for_status(first, "running")
    second = user.execute(looper, {"mode": "quick"})
    # Another analysis runs meanwhile: workers are free, yet the second run of looper waits.
    assert user.wait(user.execute(greeter))["status"] == "completed"
    assert user.job(second)["status"] == "pending"
    user.delete(f"/api/analysis/jobs/{first}")
    ended = user.wait(first)
    done = user.wait(second)
    assert ended["status"] == "cancelled" and done["status"] == "completed", (ended, done)
    assert done["result"] == {"done": True}
    assert done["started_at"] >= ended["completed_at"], "the second started after the first ended"


# --- SSE -------------------------------------------------------------------------------------


def test_events_of_a_finished_job(user, greeter):
    job_id = user.execute(greeter, {"times": 3})
    user.wait(job_id)
    events = list(user.events(job_id))
    logs = [e.data for e in events if e.event == "log"]
    assert [l["message"] for l in logs] == ["hello world 0", "hello world 1", "hello world 2"]
    assert all(l["job_id"] == job_id and l["level"] == "info" and l["timestamp"].endswith("Z") for l in logs)
    assert all(l["line"].endswith(l["message"]) for l in logs)
    assert events[-1].event == "status" and events[-1].data == {"job_id": job_id, "status": "completed"}
    assert {e.event for e in events} == {"log", "status"}


def test_events_stream_live_and_end_after_the_final_status(user, looper):
    job_id = user.execute(looper)
    received = []
    reader = threading.Thread(target=lambda: received.extend(user.events(job_id)))
    reader.start()
    user.wait_for_status(job_id, "running")
    deadline = time.monotonic() + 60
    while not any(e.event == "log" for e in received):  # the stream is open and has the log so far
        assert time.monotonic() < deadline and reader.is_alive(), received
        time.sleep(0.02)
    user.delete(f"/api/analysis/jobs/{job_id}")
    reader.join(timeout=60)
    assert not reader.is_alive(), "the stream ends after the final status"
    statuses = [e.data["status"] for e in received if e.event == "status"]
    assert statuses[-1] == "cancelled" and "running" in statuses, statuses
    assert received[-1].event == "status" and received[-1].data["error"]
    assert [e.data["message"] for e in received if e.event == "log"] == ["started loop"]


def test_events_of_a_failed_job_carry_the_error(author, user, unique_name):
    name = unique_name("failing")
    author.create_analysis(name, js("""
        export default { title: "Failing", run(ctx) { throw new TypeError("bad input"); } };
    """))
    job_id = user.execute(name)
    events = list(user.events(job_id))
    assert events[-1].event == "status" and events[-1].data["status"] == "failed"
    assert "bad input" in events[-1].data["error"]


# --- run history -----------------------------------------------------------------------------


def test_run_history_pages_newest_first(author, user, unique_name):
    name = unique_name("history")
    author.create_analysis(name, GREETER)
    jobs = [user.execute(name, {"times": i + 1}) for i in range(5)]
    for job_id in jobs:
        user.wait(job_id)
    newest_first = list(reversed(jobs))

    everything = user.get(f"/api/analysis/{name}/runs").json
    assert [r["job_id"] for r in everything["runs"]] == newest_first
    assert everything["next_cursor"] is None and everything["limit"] == 50 and everything["offset"] == 0
    run = everything["runs"][0]
    assert run["status"] == "completed" and run["parameters"]["times"] == 5
    assert run["result_preview"] == {"greeting": "Hello, world", "times": 5, "colour": "red", "day": None}

    seen, cursor = [], None
    for _ in range(5):
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = user.get(f"/api/analysis/{name}/runs", query=query).json
        assert len(page["runs"]) <= 2
        seen += [r["job_id"] for r in page["runs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == newest_first, "cursor paging visits every run once, newest first"

    by_offset = user.get(f"/api/analysis/{name}/runs", query={"limit": 2, "offset": 2}).json
    assert [r["job_id"] for r in by_offset["runs"]] == newest_first[2:4] and by_offset["offset"] == 2


@pytest.mark.parametrize("query,message", [
    ("limit=0", "query parameter 'limit' must be an integer from 1 to 1000, got '0'"),
    ("limit=1001", "query parameter 'limit' must be an integer from 1 to 1000, got '1001'"),
    ("offset=-1", "query parameter 'offset' must be an integer from 0"),
    ("limit=x", "query parameter 'limit' must be an integer"),
    ("cursor=garbage", "cursor"),
])
def test_run_history_paging_errors_are_400(user, greeter, query, message):
    response = user.get(f"/api/analysis/{greeter}/runs?{query}")
    assert response.status == 400, response.describe()
    assert message in response.error["message"]


# --- the 10 MB result limit ------------------------------------------------------------------


def test_a_result_over_10_mb_fails_the_run(author, user, unique_name):
    name = unique_name("large")
    author.create_analysis(name, js("""
        export default {
            title: "Large",
            parameters: { chars: { type: "number" } },
            run(ctx, params) { return { text: "x".repeat(params.chars) }; },
        };
    """))
    too_big = user.wait(user.execute(name, {"chars": 11 * 1024 * 1024}))
    assert too_big["status"] == "failed"
    assert "exceeds 10MB limit. Use DuckDB for large datasets." in too_big["error"], too_big["error"]
    assert too_big["result"] is None

    fits = user.wait(user.execute(name, {"chars": 9 * 1024 * 1024}))
    assert fits["status"] == "completed", fits["error"]
    assert len(fits["result"]["text"]) == 9 * 1024 * 1024
    assert fits["result_size_bytes"] > 9 * 1024 * 1024


# --- nested ctx.runAnalysis ------------------------------------------------------------------


def caller_script(title: str, callee: str, params: str = "{}") -> str:
    return js(f"""
        export default {{
            title: "{title}",
            dependencies: {{ analyses: ["{callee}"] }},
            async run(ctx, params) {{
                const r = await ctx.runAnalysis("{callee}", {params});
                return {{ called: "{callee}", success: r.success, error: r.error, result: r.result, run_id: r.run_id }};
            }},
        }};
    """)


def test_nested_run_is_recorded_with_its_parent(author, user, unique_name):
    child, parent = unique_name("child"), unique_name("parent")
    author.create_analysis(child, GREETER)
    author.create_analysis(parent, caller_script("Parent", child, '{ name: "Nested", times: 1, colour: "green" }'))
    job_id = user.execute(parent)
    done = user.wait(job_id)
    assert done["status"] == "completed", done
    assert done["result"]["success"] is True
    assert done["result"]["result"] == {"greeting": "Hello, Nested", "times": 1, "colour": "green", "day": None}
    nested = user.get(f"/api/analysis/{child}/runs").json["runs"]
    assert [(r["job_id"], r["trigger_type"], r["parent_run_id"]) for r in nested] == [
        (done["result"]["run_id"], "nested", job_id)]
    assert user.job(done["result"]["run_id"])["executed_by"] == "user"


def test_nested_run_gets_the_callees_parameter_defaults(author, user, unique_name):
    child, parent = unique_name("child"), unique_name("parent")
    author.create_analysis(child, GREETER)
    author.create_analysis(parent, caller_script("Parent", child))
    done = user.wait(user.execute(parent))
    assert done["result"]["result"] == {"greeting": "Hello, world", "times": 1, "colour": "red", "day": None}


def test_nested_run_analysis_with_a_cycle_is_refused(author, user, unique_name):
    first, second = unique_name("cycle_a"), unique_name("cycle_b")
    author.create_analysis(second, GREETER)  # a placeholder, so that `first` may depend on it
    author.create_analysis(first, caller_script("A", second))
    updated = author.put(f"/api/analysis/{second}", {"script": caller_script("B", first)})
    assert updated.status == 200, updated.describe()

    done = user.wait(user.execute(first))
    # second ran (nested) and its call back to first was rejected: it failed, first saw that.
    assert done["status"] == "completed", done
    assert done["result"]["success"] is False
    assert f"cycle {first} → {second} → {first}" in done["result"]["error"], done["result"]["error"]
    nested = user.job(done["result"]["run_id"])
    assert nested["status"] == "failed" and nested["analysis_id"] == second
    assert user.get(f"/api/analysis/{first}/runs").json["runs"][0]["trigger_type"] == "manual"
    assert len(user.get(f"/api/analysis/{first}/runs").json["runs"]) == 1, "the cycle wrote no run of first"


# --- dynamic parameter options ---------------------------------------------------------------


@pytest.fixture(scope="module")
def options_analysis(author):
    author.create_analysis("options_analysis", OPTIONS)
    return "options_analysis"


def test_parameter_metadata_says_which_options_are_dynamic(user, options_analysis):
    parameters = user.get(f"/api/analysis/{options_analysis}").json["parameters"]
    assert parameters["city"]["has_dynamic_options"] is True
    assert parameters["city"]["depends_on"] == ["country"]
    assert "options" not in parameters["city"]
    assert "has_dynamic_options" not in parameters["fixed"]


def test_dynamic_options_depend_on_the_current_params(user, options_analysis):
    path = f"/api/analysis/{options_analysis}/parameters/city/options"
    usa = user.post(path, {"current_params": {"country": "USA"}})
    assert usa.status == 200, usa.describe()
    assert usa.json == {"options": [{"value": "nyc", "label": "New York City"}, {"value": "la", "label": "Los Angeles"}]}
    france = user.post(path, {"current_params": {"country": "France"}})
    assert [o["value"] for o in france.json["options"]] == ["par", "lyo"]
    assert user.post(path).json == usa.json, "no body: no current params"


def test_grouped_options(user, options_analysis):
    response = user.post(f"/api/analysis/{options_analysis}/parameters/grouped/options", {"current_params": {}})
    assert response.status == 200, response.describe()
    assert response.json == {"options": [
        {"label": "Premium Cities", "options": [{"value": "nyc", "label": "New York City"}, {"value": "sf", "label": "San Francisco"}]},
        {"label": "Standard Cities", "options": [{"value": "aus", "label": "Austin"}, {"value": "den", "label": "Denver"}]},
    ]}


def test_static_options_are_answered_from_the_metadata(user, options_analysis):
    response = user.post(f"/api/analysis/{options_analysis}/parameters/fixed/options", {})
    assert response.status == 200, response.describe()
    assert response.json == {"options": [{"value": 1, "label": "1"}, {"value": "b", "label": "Bee"},
                                         {"label": "More", "options": [{"value": "c", "label": "c"}]}]}


def test_dynamic_options_are_normalised_like_static_ones(user, options_analysis):
    response = user.post(f"/api/analysis/{options_analysis}/parameters/plain/options", {})
    assert response.status == 200, response.describe()
    assert response.json == {"options": [{"value": 1, "label": "1"}, {"value": 2.5, "label": "2.5"}, {"value": "c", "label": "c"},
                                         {"value": "d", "label": "d"}, {"label": "G", "options": [{"value": "e", "label": "e"}]}]}


@pytest.mark.parametrize("parameter,message", [
    ("odd", "the options function of parameter 'odd' returned options[1] with the unknown key 'title'"),
    ("none", "options() of parameter 'none' must return an array"),
])
def test_options_that_are_not_options_are_422(user, options_analysis, parameter, message):
    response = user.post(f"/api/analysis/{options_analysis}/parameters/{parameter}/options", {})
    assert response.status == 422, response.describe()
    assert message in response.error["message"]
    assert response.error["details"]["parameter"] == parameter


def test_a_failing_options_function_is_422(user, options_analysis):
    response = user.post(f"/api/analysis/{options_analysis}/parameters/broken/options", {})
    assert response.status == 422, response.describe()
    error = response.error
    assert error["code"] == "invalid"
    assert "the options function of parameter 'broken' failed" in error["message"]
    assert "lookup table is missing" in error["message"]
    assert error["details"]["parameter"] == "broken"


@pytest.mark.parametrize("parameter", ["nope", "times"])
def test_options_of_an_unknown_parameter_is_404(user, options_analysis, parameter):
    response = user.post(f"/api/analysis/{options_analysis}/parameters/{parameter}/options", {})
    assert response.status == 404, response.describe()
    assert response.error["details"] == {"parameter": parameter}


def test_options_of_a_parameter_without_options(user, options_analysis, greeter):
    response = user.post(f"/api/analysis/{greeter}/parameters/times/options", {})
    assert response.status == 200 and response.json == {"options": []}, response.describe()


def test_current_params_must_be_an_object(user, options_analysis):
    response = user.post(f"/api/analysis/{options_analysis}/parameters/city/options", {"current_params": [1]})
    assert response.status == 400, response.describe()
    assert response.error["details"] == {"field": "current_params"}

"""REST API: discovery (list, get, delete) and the authoring endpoints (create, update, versions,
version, diff, restore, validate), bad requests and unknown ids.

Every response is checked against the OpenAPI document by the client (api_client.py).
"""
from __future__ import annotations

import json

import pytest

from conftest_api import GREETER, LOOPER, js

INVALID_SCRIPT = js("""
    export default {
        title: "Broken",
        paramaters: {},
        run(ctx) { return 1; }
    };
""")

GREETER_V2 = GREETER.replace('title: "Greeter"', 'title: "Greeter 2"').replace(
    'day: { type: "date", required: false },', 'day: { type: "date", required: false },\n        loud: { type: "boolean", default: false },')


# --- list and get ----------------------------------------------------------------------------


def test_list_shows_created_analyses_with_the_spec_fields(author, user, unique_name):
    name = unique_name("listed")
    author.create_analysis(name, GREETER)
    listed = {a["id"]: a for a in user.get("/api/analysis").json}
    assert name in listed
    item = listed[name]
    assert item["title"] == "Greeter" and item["version"] == 1 and item["created_by"] == "author"
    assert item["created_at"].endswith("Z") and item["updated_at"] == item["created_at"]
    assert item["last_run"] is None and item["last_status"] is None

    done = user.wait(user.execute(name))
    item = {a["id"]: a for a in user.get("/api/analysis").json}[name]
    assert item["last_status"] == "completed" and item["last_run"] == done["started_at"]


def test_get_has_parameter_metadata(author, user, unique_name):
    name = unique_name("detail")
    author.create_analysis(name, GREETER)
    detail = user.get(f"/api/analysis/{name}").json
    assert detail["id"] == name and detail["title"] == "Greeter"
    assert list(detail["parameters"]) == ["name", "times", "colour", "day"]
    assert detail["parameters"]["times"] == {"type": "number", "required": False, "min": 1, "max": 5, "default": 1}
    assert detail["parameters"]["colour"]["options"] == [{"value": "red", "label": "red"}, {"value": "green", "label": "green"}]
    assert detail["dependencies"] == {"datasources": [], "analyses": []}


@pytest.mark.parametrize("path", ["/api/analysis/nope", "/api/analysis/nope/runs", "/api/analysis/nope/versions",
                                  "/api/analysis/nope/versions/1", "/api/analysis/nope/diff?version1=1&version2=2",
                                  "/api/analysis/jobs/00000000-0000-0000-0000-000000000000",
                                  "/api/analysis/jobs/nope/events"])
def test_unknown_ids_are_404(author, path):
    response = author.get(path)
    assert response.status == 404, response.describe()
    assert response.error["code"] == "not_found"


@pytest.mark.parametrize("method,path", [("DELETE", "/api/analysis/nope"), ("PUT", "/api/analysis/nope"),
                                         ("POST", "/api/analysis/nope/execute"),
                                         ("POST", "/api/analysis/nope/parameters/x/options"),
                                         ("POST", "/api/analysis/nope/versions/1/restore"),
                                         ("DELETE", "/api/analysis/jobs/nope")])
def test_unknown_ids_are_404_for_changes_too(author, method, path):
    body = {"script": GREETER, "reason": "r"} if method in ("PUT", "POST") else None
    response = author.request(method, path, body)
    assert response.status == 404, response.describe()
    assert response.error["code"] == "not_found"
    assert "nope" in response.error["message"]


def test_unknown_endpoint_is_a_json_404(user):
    response = user.get("/api/nothing/here", check=False)
    assert response.status == 404
    assert response.error == {"code": "not_found", "message": "no such endpoint: GET /api/nothing/here", "details": {}}


@pytest.mark.parametrize("method,path", [("PATCH", "/api/analysis"), ("DELETE", "/api/analysis"),
                                         ("PUT", "/api/analysis/validate"), ("POST", "/api/analysis/x/runs"),
                                         ("GET", "/api/analysis/x/execute"), ("PUT", "/api/analysis/jobs/x"),
                                         ("TRACE", "/api/analysis/x"), ("OPTIONS", "/api/analysis/x")])
def test_a_method_the_endpoint_does_not_have_is_405(user, method, path):
    response = user.request(method, path, body=b"" if method in ("PATCH", "PUT", "POST") else None)
    assert response.status == 405, response.describe()
    assert response.error["code"] == "method_not_allowed"
    assert method in response.error["message"]
    assert response.headers.get("allow"), "405 names the methods that are allowed"


# --- create ----------------------------------------------------------------------------------


def test_create_returns_201_with_the_stored_analysis(author, unique_name):
    name = unique_name("created")
    response = author.post("/api/analysis", {"name": name, "script": GREETER})
    assert response.status == 201, response.describe()
    created = response.json
    assert created["id"] == name and created["version"] == 1 and created["created_by"] == "author"
    assert created["script"] == GREETER
    assert created["metadata"]["parameters"] == created["parameters"]


def test_create_with_a_taken_name_is_409(author, unique_name):
    name = unique_name("taken")
    author.create_analysis(name, GREETER)
    response = author.post("/api/analysis", {"name": name, "script": LOOPER})
    assert response.status == 409, response.describe()
    assert response.error["code"] == "conflict"
    assert author.get(f"/api/analysis/{name}").json["title"] == "Greeter"


def test_create_with_an_invalid_script_is_422_with_the_validation_report(author, unique_name):
    name = unique_name("invalid")
    response = author.post("/api/analysis", {"name": name, "script": INVALID_SCRIPT})
    assert response.status == 422, response.describe()
    error = response.error
    assert error["code"] == "invalid"
    assert "paramaters" in error["message"] and "did you mean 'parameters'" in error["message"]
    assert error["details"]["valid"] is False
    assert any("paramaters" in e for e in error["details"]["errors"])
    assert author.get(f"/api/analysis/{name}").status == 404


@pytest.mark.parametrize("name,problem", [("has space", "invalid analysis name 'has space'"),
                                          ("", "invalid analysis name ''"),
                                          ("x" * 65, "invalid analysis name"),
                                          ("jobs", "'jobs' is reserved"),
                                          ("validate", "'validate' is reserved")])
def test_create_with_a_bad_name_is_400(author, name, problem):
    response = author.post("/api/analysis", {"name": name, "script": GREETER})
    assert response.status == 400, response.describe()
    assert problem in response.error["message"]
    assert response.error["details"]["field"] == "name"


@pytest.mark.parametrize("body,message", [
    ({"script": GREETER}, "'name' is required"),
    ({"name": "n"}, "'script' is required"),
    ({"name": 5, "script": GREETER}, "'name' must be a string, got number"),
    ({"name": "n", "script": ["x"]}, "'script' must be a string, got array"),
])
def test_create_with_missing_or_mistyped_fields_is_400(author, body, message):
    response = author.post("/api/analysis", body)
    assert response.status == 400, response.describe()
    assert response.error["message"] == message


# --- bad JSON everywhere a body is read ------------------------------------------------------


BODY_ENDPOINTS = [("POST", "/api/analysis"), ("POST", "/api/analysis/validate"), ("PUT", "/api/analysis/{a}"),
                  ("POST", "/api/analysis/{a}/execute"), ("POST", "/api/analysis/{a}/parameters/colour/options"),
                  ("POST", "/api/analysis/{a}/versions/1/restore")]


@pytest.fixture(scope="module")
def body_target(author):
    author.create_analysis("body_target", GREETER)
    return "body_target"


@pytest.mark.parametrize("method,path", BODY_ENDPOINTS)
@pytest.mark.parametrize("text,message", [
    ("{", "the request body is not valid JSON"),
    ("{'name': 1}", "the request body is not valid JSON"),
    ('{"a": 1} x', "the request body is not valid JSON"),
    ("[1, 2]", "the request body must be a JSON object, got array"),
    ('"text"', "the request body must be a JSON object, got string"),
    ("null", "the request body must be a JSON object, got null"),
])
def test_bad_json_is_400(author, body_target, method, path, text, message):
    response = author.request(method, path.replace("{a}", body_target), body=text, headers={"Content-Type": "application/json"})
    assert response.status == 400, response.describe()
    assert response.error["code"] == "bad_request"
    assert response.error["message"] == message


# --- update, versions, version, diff, restore ------------------------------------------------


def test_update_versions_diff_and_restore(author, user, unique_name):
    name = unique_name("versioned")
    author.create_analysis(name, GREETER)

    updated = author.put(f"/api/analysis/{name}", {"script": GREETER_V2, "change_description": "Add loud"})
    assert updated.status == 200, updated.describe()
    assert updated.json["version"] == 2 and updated.json["title"] == "Greeter 2"
    assert "loud" in updated.json["parameters"]
    assert user.get(f"/api/analysis/{name}").json["version"] == 2

    versions = author.get(f"/api/analysis/{name}/versions").json
    assert versions["current_version"] == 2
    assert [(v["version"], v["change_description"], v["created_by"]) for v in versions["versions"]] == [
        (2, "Add loud", "author"), (1, "Initial version", "author")]

    first = author.get(f"/api/analysis/{name}/versions/1").json
    assert first["version"] == 1 and first["script"] == GREETER and "loud" not in first["metadata"]["parameters"]

    diff = author.get(f"/api/analysis/{name}/diff", query={"version1": 1, "version2": 2}).json
    assert diff["version1"] == 1 and diff["version2"] == 2
    assert diff["changes"]["parameters"]["added"] == ["loud"]

    restored = author.post(f"/api/analysis/{name}/versions/1/restore", {"reason": "loud was a mistake"})
    assert restored.status == 200, restored.describe()
    assert restored.json == {"success": True, "new_version": 3, "restored_from": 1, "reason": "loud was a mistake"}
    current = author.get(f"/api/analysis/{name}").json
    assert current["version"] == 3 and current["script"] == GREETER and current["title"] == "Greeter"
    latest = author.get(f"/api/analysis/{name}/versions").json["versions"][0]
    assert latest["version"] == 3 and latest["restored_from"] == 1


def test_update_with_an_invalid_script_is_422_and_keeps_the_current_version(author, unique_name):
    name = unique_name("kept")
    author.create_analysis(name, GREETER)
    response = author.put(f"/api/analysis/{name}", {"script": INVALID_SCRIPT})
    assert response.status == 422, response.describe()
    assert author.get(f"/api/analysis/{name}").json["version"] == 1


def test_update_without_a_description_says_updated(author, unique_name):
    name = unique_name("undescribed")
    author.create_analysis(name, GREETER)
    assert author.put(f"/api/analysis/{name}", {"script": GREETER_V2}).status == 200
    assert author.get(f"/api/analysis/{name}/versions").json["versions"][0]["change_description"] == "Updated"


@pytest.mark.parametrize("path,status,message", [
    ("/versions/9", 404, "has no version 9"),
    ("/versions/0", 400, "version must be a positive integer, got '0'"),
    ("/versions/abc", 400, "version must be a positive integer, got 'abc'"),
    ("/versions/-1", 400, "version must be a positive integer, got '-1'"),
    ("/diff?version1=1", 400, "'version1' and 'version2' are required"),
    ("/diff?version1=1&version2=x", 400, "query parameter 'version2' must be an integer"),
    ("/diff?version1=1&version2=9", 404, "has no version 9"),
])
def test_version_numbers_are_checked(author, body_target, path, status, message):
    response = author.get(f"/api/analysis/{body_target}{path}")
    assert response.status == status, response.describe()
    assert message in response.error["message"]


@pytest.mark.parametrize("body,status,message", [
    ({}, 400, "'reason' is required"),
    ({"reason": ""}, 400, "restoring a version needs a reason"),
    ({"reason": 3}, 400, "'reason' must be a string, got number"),
])
def test_restore_needs_a_reason(author, body_target, body, status, message):
    response = author.post(f"/api/analysis/{body_target}/versions/1/restore", body)
    assert response.status == status, response.describe()
    assert message in response.error["message"]


def test_restore_of_an_unknown_version_is_404(author, body_target):
    response = author.post(f"/api/analysis/{body_target}/versions/42/restore", {"reason": "r"})
    assert response.status == 404, response.describe()


# --- validate --------------------------------------------------------------------------------


def test_validate_a_valid_script(author):
    response = author.post("/api/analysis/validate", {"script": GREETER})
    assert response.status == 200, response.describe()
    report = response.json
    # The spec's shape: {"valid": true, "metadata": {title, datasources, analyses, parameters}}.
    assert report["valid"] is True and "errors" not in report
    assert report["metadata"]["title"] == "Greeter"
    assert report["metadata"]["datasources"] == [] and report["metadata"]["analyses"] == []
    assert list(report["metadata"]["parameters"]) == ["name", "times", "colour", "day"]


def test_validate_an_invalid_script_is_200_with_the_errors(author):
    response = author.post("/api/analysis/validate", {"script": "export default {"})
    assert response.status == 200, response.describe()
    report = response.json
    assert report["valid"] is False and report["errors"]
    assert report["error_details"][0]["line"] is not None


def test_validate_checks_dependencies_in_the_callers_project(author, other_author, unique_name):
    name = unique_name("dependency")
    author.create_analysis(name, GREETER)
    caller = js(f"""
        export default {{
            title: "Caller",
            dependencies: {{ analyses: ["{name}"] }},
            async run(ctx) {{ return await ctx.runAnalysis("{name}", {{}}); }},
        }};
    """)
    assert author.post("/api/analysis/validate", {"script": caller}).json["valid"] is True
    other = other_author.post("/api/analysis/validate", {"script": caller}).json
    assert other["valid"] is False and any(f"Analysis '{name}' not found" in e for e in other["errors"])


def test_validate_needs_a_script(author):
    response = author.post("/api/analysis/validate", {})
    assert response.status == 400 and response.error["message"] == "'script' is required"


# --- delete ----------------------------------------------------------------------------------


def test_delete_twice_is_404_the_second_time(author, unique_name):
    name = unique_name("gone")
    author.create_analysis(name, GREETER)
    assert author.delete(f"/api/analysis/{name}").status == 204
    again = author.delete(f"/api/analysis/{name}")
    assert again.status == 404, again.describe()


def test_a_deleted_analysis_cannot_be_executed_or_updated(author, user, unique_name):
    name = unique_name("deleted")
    author.create_analysis(name, GREETER)
    job_id = user.execute(name)
    assert user.wait(job_id)["status"] == "completed"
    assert user.delete(f"/api/analysis/{name}").status == 204
    assert user.job(job_id)["result"]["greeting"] == "Hello, world", "its jobs stay readable by id"
    assert user.get(f"/api/analysis/{name}/runs").status == 404
    assert user.post(f"/api/analysis/{name}/execute", {}).status == 404
    assert author.put(f"/api/analysis/{name}", {"script": GREETER}).status == 404
    assert author.get(f"/api/analysis/{name}/versions").status == 404


# --- HTTP details ----------------------------------------------------------------------------


def raw_request(client, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    """Sends exactly these headers (http.client adds no Content-Length on its own here)."""
    connection = client._connection(timeout=30)
    try:
        connection.putrequest(method, path)
        for name, value in {"Authorization": f"Bearer {client.token}", **headers}.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        raw = connection.getresponse()
        return raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read()
    finally:
        connection.close()


def test_a_post_without_content_length_has_an_empty_body(user, body_target):
    # RFC 9112 6.3: no Content-Length and no Transfer-Encoding means no body; the server must
    # answer at once instead of waiting for the client to close the connection.
    status, _, body = raw_request(user, "POST", f"/api/analysis/{body_target}/execute", {})
    assert status == 202, body
    assert user.wait(json.loads(body)["job_id"])["status"] == "completed"


def test_a_chunked_body_is_read(user, body_target):
    payload = json.dumps({"parameters": {"name": "Chunky"}}).encode()
    chunked = f"{len(payload):x}\r\n".encode() + payload + b"\r\n0\r\n\r\n"
    status, _, body = raw_request(user, "POST", f"/api/analysis/{body_target}/execute",
                                  {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}, chunked)
    assert status == 202, body
    assert user.wait(json.loads(body)["job_id"])["result"]["greeting"] == "Hello, Chunky"


def test_a_multipart_body_is_refused(user, body_target):
    body = b'--xx\r\nContent-Disposition: form-data; name="parameters"\r\n\r\n{}\r\n--xx--\r\n'
    status, _, answer = raw_request(user, "POST", f"/api/analysis/{body_target}/execute",
                                    {"Content-Type": "multipart/form-data; boundary=xx", "Content-Length": str(len(body))}, body)
    assert status == 400, answer
    assert json.loads(answer)["error"]["message"] == "the request body must be JSON, not multipart/form-data"


def test_a_body_over_64_mb_is_413(user, body_target):
    response = user.request("POST", f"/api/analysis/{body_target}/execute", body=b" " * ((64 << 20) + 1))
    assert response.status == 413, response.describe()
    assert response.error["code"] == "payload_too_large"
    assert response.error["message"] == "the request body is larger than 64 MB"


@pytest.mark.parametrize("method", ["QUERY", "FOO"])
def test_a_method_http_does_not_route_is_405_or_404(user, method):
    status, headers, body = raw_request(user, method, "/api/analysis", {"Content-Length": "2"}, b"{}")
    assert status == 405, body
    assert headers["allow"] == "GET, POST"
    assert json.loads(body)["error"]["code"] == "method_not_allowed"
    status, _, body = raw_request(user, method, "/api/nothing?x=1", {})
    assert status == 404, body
    assert json.loads(body)["error"]["message"] == f"no such endpoint: {method} /api/nothing"

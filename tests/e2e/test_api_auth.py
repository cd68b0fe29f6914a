"""REST API: tokens, roles and projects (docs/api.md, "Authentication").

Every endpoint but /api/health and /api/openapi.json needs `Authorization: Bearer <token>`;
the token alone decides the project and the role. Every response is checked against the
OpenAPI document by the client (api_client.py).
"""
from __future__ import annotations

import pytest

from conftest_api import GREETER, LOOPER

# (method, path template, role it needs). {a} is an existing analysis, {j} one of its jobs.
ENDPOINTS = [
    ("GET", "/api/analysis", "user"),
    ("POST", "/api/analysis", "author"),
    ("POST", "/api/analysis/validate", "author"),
    ("GET", "/api/analysis/{a}", "user"),
    ("PUT", "/api/analysis/{a}", "author"),
    ("DELETE", "/api/analysis/{a}", "user"),
    ("POST", "/api/analysis/{a}/parameters/colour/options", "user"),
    ("POST", "/api/analysis/{a}/execute", "user"),
    ("GET", "/api/analysis/{a}/runs", "user"),
    ("GET", "/api/analysis/{a}/versions", "author"),
    ("GET", "/api/analysis/{a}/versions/1", "author"),
    ("POST", "/api/analysis/{a}/versions/1/restore", "author"),
    ("GET", "/api/analysis/{a}/diff?version1=1&version2=1", "author"),
    ("GET", "/api/analysis/jobs/{j}", "user"),
    ("DELETE", "/api/analysis/jobs/{j}", "user"),
    ("GET", "/api/analysis/jobs/{j}/events", "user"),
]
AUTHOR_ONLY = [(m, p) for m, p, role in ENDPOINTS if role == "author"]


@pytest.fixture(scope="module")
def finished_job(author, user):
    """An analysis of project p1 with one completed run: (analysis name, job id)."""
    author.create_analysis("auth_target", GREETER)
    job_id = user.execute("auth_target", {"name": "Ada"})
    assert user.wait(job_id)["status"] == "completed"
    return "auth_target", job_id


def fill(path: str, finished_job) -> str:
    analysis, job_id = finished_job
    return path.replace("{a}", analysis).replace("{j}", job_id)


def body_for(method: str, path: str):
    if method in ("POST", "PUT"):
        return {"name": "x", "script": GREETER, "reason": "r"}
    return None


def test_health_and_openapi_need_no_token(anonymous):
    health = anonymous.get("/api/health")
    assert health.status == 200 and health.json == {"status": "ok"}
    document = anonymous.get("/api/openapi.json")
    assert document.status == 200 and document.json["openapi"].startswith("3.1")


@pytest.mark.parametrize("method,path", [(m, p) for m, p, _ in ENDPOINTS])
def test_no_token_is_401(anonymous, finished_job, method, path):
    response = anonymous.request(method, fill(path, finished_job), body_for(method, path))
    assert response.status == 401, response.describe()
    assert response.error["code"] == "unauthorized"
    assert "Authorization" in response.error["message"]


@pytest.mark.parametrize("method,path", [(m, p) for m, p, _ in ENDPOINTS])
def test_wrong_token_is_401(user, finished_job, method, path):
    response = user.with_token("as_" + "x" * 43).request(method, fill(path, finished_job), body_for(method, path))
    assert response.status == 401, response.describe()
    assert response.error == {"code": "unauthorized", "message": "unknown or revoked token", "details": {}}


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "bearer as_abc", "Token as_abc", ""])
def test_malformed_authorization_header_is_401(anonymous, finished_job, header):
    response = anonymous.get("/api/analysis", headers={"Authorization": header})
    assert response.status == 401, response.describe()
    assert response.error["code"] == "unauthorized"


def test_a_hash_of_a_token_is_not_a_token(user, api_tokens):
    sha256 = api_tokens["user"][1].split('sha256 = "')[1].split('"')[0]
    response = user.with_token(sha256).get("/api/analysis")
    assert response.status == 401, response.describe()


@pytest.mark.parametrize("method,path", AUTHOR_ONLY)
def test_role_user_gets_403_on_authoring_endpoints(user, author, finished_job, method, path):
    before = author.get(f"/api/analysis/{finished_job[0]}/versions").json
    response = user.request(method, fill(path, finished_job), body_for(method, path))
    assert response.status == 403, response.describe()
    assert response.error["code"] == "forbidden"
    assert "role 'author'" in response.error["message"] and "'user'" in response.error["message"]
    assert author.get(f"/api/analysis/{finished_job[0]}/versions").json == before, "a refused call changed nothing"


def test_role_user_reads_without_the_script_and_author_with_it(user, author, finished_job):
    as_user = user.get(f"/api/analysis/{finished_job[0]}").json
    as_author = author.get(f"/api/analysis/{finished_job[0]}").json
    assert "script" not in as_user and "metadata" not in as_user
    assert as_author["script"] == GREETER
    assert {k: v for k, v in as_author.items() if k not in ("script", "metadata")} == as_user


def test_role_user_may_delete_an_analysis(user, author, unique_name):
    name = unique_name("deletable")
    author.create_analysis(name, GREETER)
    response = user.delete(f"/api/analysis/{name}")
    assert response.status == 204, response.describe()
    assert response.body == b""
    assert user.get(f"/api/analysis/{name}").status == 404
    assert name not in [a["id"] for a in user.get("/api/analysis").json]


def test_role_user_may_stop_a_job(user, author, unique_name):
    name = unique_name("stoppable")
    author.create_analysis(name, LOOPER)
    job_id = user.execute(name)
    user.wait_for_status(job_id, "running")
    stopped = user.delete(f"/api/analysis/jobs/{job_id}")
    assert stopped.status == 200, stopped.describe()
    assert user.wait(job_id)["status"] == "cancelled"


# --- projects --------------------------------------------------------------------------------


def test_another_project_sees_none_of_the_analyses(other_author, other_user, finished_job):
    analysis, _ = finished_job
    for client in (other_author, other_user):
        assert analysis not in [a["id"] for a in client.get("/api/analysis").json]
        for method, path in [("GET", "/api/analysis/{a}"), ("GET", "/api/analysis/{a}/runs"),
                             ("POST", "/api/analysis/{a}/execute"), ("DELETE", "/api/analysis/{a}"),
                             ("POST", "/api/analysis/{a}/parameters/colour/options")]:
            response = client.request(method, fill(path, finished_job), {} if method == "POST" else None)
            assert response.status == 404, response.describe()
            assert response.error["code"] == "not_found"
    for method, path in [("PUT", "/api/analysis/{a}"), ("GET", "/api/analysis/{a}/versions"),
                         ("GET", "/api/analysis/{a}/versions/1"), ("POST", "/api/analysis/{a}/versions/1/restore"),
                         ("GET", "/api/analysis/{a}/diff?version1=1&version2=1")]:
        response = other_author.request(method, fill(path, finished_job), body_for(method, path))
        assert response.status == 404, response.describe()


def test_another_project_cannot_see_or_stop_a_job(other_author, other_user, user, finished_job):
    analysis, job_id = finished_job
    for client in (other_author, other_user):
        for method, path in [("GET", "/api/analysis/jobs/{j}"), ("GET", "/api/analysis/jobs/{j}?wait_ms=10"),
                             ("DELETE", "/api/analysis/jobs/{j}"), ("GET", "/api/analysis/jobs/{j}/events")]:
            response = client.request(method, fill(path, finished_job))
            assert response.status == 404, response.describe()
            # The same answer as for an id that does not exist: nothing is confirmed.
            assert response.error["message"] == f"job '{job_id}' not found"
    assert user.job(job_id)["status"] == "completed"


def test_projects_have_their_own_namespaces(author, other_author, user, other_user, unique_name):
    name = unique_name("shared_name")
    author.create_analysis(name, GREETER)
    other_author.create_analysis(name, LOOPER)
    assert user.get(f"/api/analysis/{name}").json["title"] == "Greeter"
    assert other_user.get(f"/api/analysis/{name}").json["title"] == "Looper"
    job_id = other_user.execute(name, {"mode": "quick"})
    assert other_user.wait(job_id)["result"] == {"done": True}
    assert [r["job_id"] for r in user.get(f"/api/analysis/{name}/runs").json["runs"]] == []

"""Fixtures of the REST API tests (tests/e2e/test_api_*.py), imported by conftest.py.

One server for the whole session (`api_server`), with two projects and four tokens:

  user          project p1, role user     (may list, read, execute, stop, delete)
  author        project p1, role author   (may also create, update, versions, restore, validate)
  other_author  project p2, role author   (must see nothing of p1)
  other_user    project p2, role user

Tests make analyses with names from `unique_name`, so they do not depend on each other.
`fresh_server` starts a separate server with its own data directory (restart tests).
"""
from __future__ import annotations

import itertools
import subprocess
import textwrap
from pathlib import Path

import pytest

from api_client import ApiClient, ApiServer, OpenApiSchema, read_tokens

__all__ = ["api_tokens", "write_api_config", "api_server", "openapi", "user", "author", "other_author", "other_user",
           "anonymous", "fresh_server", "unique_name"]

TOKEN_HOLDERS = {
    "user": ("p1", "user"),
    "author": ("p1", "author"),
    "other_author": ("p2", "author"),
    "other_user": ("p2", "user"),
}


def js(source: str) -> str:
    return textwrap.dedent(source).strip() + "\n"


# Parameters of every type the execute endpoint checks, and logs for the job endpoints.
GREETER = js("""
    export default {
        title: "Greeter",
        parameters: {
            name: { type: "string", pattern: "^[A-Za-z]+$", default: "world", description: "Who to greet" },
            times: { type: "number", min: 1, max: 5, default: 1 },
            colour: { type: "select", options: ["red", "green"], default: "red" },
            day: { type: "date", required: false },
        },
        run(ctx, params) {
            for (let i = 0; i < params.times; i++) ctx.log("hello", params.name, i);
            return { greeting: `Hello, ${params.name}`, times: params.times, colour: params.colour, day: params.day ?? null };
        },
    };
""")

# Loops until stopped (mode "loop"), or returns at once (mode "quick").
LOOPER = js("""
    export default {
        title: "Looper",
        parameters: { mode: { type: "select", options: ["loop", "quick"], default: "loop" } },
        run(ctx, params) {
            ctx.log("started", params.mode);
            if (params.mode === "quick") return { done: true };
            let i = 0;
            while (true) { i++; }
        },
    };
""")


def unique_names():
    counter = itertools.count(1)
    return lambda prefix="a": f"{prefix}_{next(counter)}"


_names = unique_names()


@pytest.fixture
def unique_name():
    """unique_name(prefix) -> an analysis name no other test uses."""
    return _names


@pytest.fixture(scope="session")
def api_tokens(as_bin: Path, tmp_path_factory) -> dict[str, tuple[str, str]]:
    """holder -> (token, its [[tokens]] lines), made by `analysis-sandbox token create`."""
    workdir = tmp_path_factory.mktemp("tokens")
    tokens = {}
    for holder, (project, role) in TOKEN_HOLDERS.items():
        done = subprocess.run([str(as_bin), "token", "create", "--project", project, "--role", role, "--name", holder],
                              capture_output=True, text=True, timeout=60, cwd=workdir)
        assert done.returncode == 0, done.stderr
        tokens[holder] = read_tokens(done.stdout)
    return tokens


@pytest.fixture(scope="session")
def write_api_config(api_tokens):
    """write_api_config(dir) writes dir/analysis-sandbox.toml: projects p1 and p2, the four tokens."""

    def write(directory: Path, workers: int = 4) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        lines = ['data_dir = "data"', "", "[server]", f"workers = {workers}", "", "[projects.p1]", "[projects.p2]", ""]
        lines += [block + "\n" for _, block in api_tokens.values()]
        path = directory / "analysis-sandbox.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def api_server(as_bin, tmp_path_factory, write_api_config):
    workdir = tmp_path_factory.mktemp("api-server")
    server = ApiServer(as_bin, workdir, write_api_config(workdir)).start()
    yield server
    code = server.stop()
    assert code == 0, f"the server exited with {code} on SIGTERM\n{server.output()}"


@pytest.fixture(scope="session")
def openapi(api_server) -> OpenApiSchema:
    response = ApiClient(api_server.base_url, None).get("/api/openapi.json")
    assert response.status == 200, response.describe()
    return OpenApiSchema(response.json)


def _client(api_server, openapi, api_tokens, holder: str | None) -> ApiClient:
    return ApiClient(api_server.base_url, api_tokens[holder][0] if holder else None, openapi)


@pytest.fixture(scope="session")
def user(api_server, openapi, api_tokens) -> ApiClient:
    return _client(api_server, openapi, api_tokens, "user")


@pytest.fixture(scope="session")
def author(api_server, openapi, api_tokens) -> ApiClient:
    return _client(api_server, openapi, api_tokens, "author")


@pytest.fixture(scope="session")
def other_author(api_server, openapi, api_tokens) -> ApiClient:
    return _client(api_server, openapi, api_tokens, "other_author")


@pytest.fixture(scope="session")
def other_user(api_server, openapi, api_tokens) -> ApiClient:
    return _client(api_server, openapi, api_tokens, "other_user")


@pytest.fixture(scope="session")
def anonymous(api_server, openapi) -> ApiClient:
    return ApiClient(api_server.base_url, None, openapi)


@pytest.fixture
def fresh_server(as_bin, tmp_path, write_api_config):
    """fresh_server() -> a started ApiServer of its own (same tokens, its own data directory)."""
    started = []

    def start(workers: int = 4) -> ApiServer:
        workdir = tmp_path / f"server{len(started)}"
        server = ApiServer(as_bin, workdir, write_api_config(workdir, workers)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()

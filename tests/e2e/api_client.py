"""A small HTTP client for the REST API tests, on the standard library only (http.client).

Every response it receives is checked against the OpenAPI document the server serves
(/api/openapi.json): the status code must be documented for the operation, and a JSON body must
match the documented schema, with objects treated as closed (a field the document does not
describe is an error, so the document cannot fall behind the server). Error bodies must be
{"error": {"code", "message", "details"}}.

`ApiServer` starts `analysis-sandbox serve --listen 127.0.0.1:0` and reads the port it printed.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import jsonschema_rs

START_TIMEOUT_S = 60  # generous: the machine is shared
STOP_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 60
FINISHED = {"completed", "failed", "cancelled"}
_LISTENING = re.compile(r"listening on http://([^/:\s]+):(\d+)/")


# --- the server process ----------------------------------------------------------------------


class ApiServer:
    """One `analysis-sandbox serve` process. stdout and stderr go to files in `workdir`."""

    def __init__(self, binary: Path, workdir: Path, config: Path | None = None, extra_args: tuple[str, ...] = ()):
        self.binary = binary
        self.workdir = workdir
        self.config = config
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None
        self.base_url = ""
        self.starts = 0

    @property
    def stdout_path(self) -> Path:
        return self.workdir / f"server-{self.starts}.stdout"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / f"server-{self.starts}.stderr"

    def output(self) -> str:
        out = self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""
        err = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return f"--- server stdout ---\n{out}\n--- server stderr ---\n{err}"

    def start(self) -> "ApiServer":
        assert self.process is None, "already running"
        self.starts += 1
        argv = [str(self.binary), "serve", "--listen", "127.0.0.1:0", *self.extra_args]
        if self.config:
            argv += ["--config", str(self.config)]
        env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_SANDBOX_CONFIG"}
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(argv, cwd=self.workdir, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            found = _LISTENING.search(self.stdout_path.read_text(errors="replace"))
            if found:
                self.base_url = f"http://{found.group(1)}:{found.group(2)}"
                return self
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise AssertionError(f"the server exited with {code} before listening\n{self.output()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the server did not print 'listening on' within {START_TIMEOUT_S} s\n{self.output()}")
            time.sleep(0.02)

    def stop(self) -> int:
        """SIGTERM, then wait; returns the exit code."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the server did not stop within {STOP_TIMEOUT_S} s of SIGTERM\n{self.output()}")
        finally:
            self.process = None
        return code

    def kill(self) -> None:
        """kill -9: the process gets no chance to record anything."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait()
        self.process = None

    def client(self, token: str | None, schema: "OpenApiSchema | None" = None) -> "ApiClient":
        return ApiClient(self.base_url, token, schema)


# --- responses and the OpenAPI check -----------------------------------------------------------


@dataclass
class Response:
    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict:
        """The {"code", "message", "details"} of an error response."""
        return self.json["error"]

    def describe(self) -> str:
        text = self.body[:2000].decode("utf-8", errors="replace")
        return f"{self.method} {self.path} -> {self.status}\n{text}"


def _close_objects(schema: Any) -> Any:
    """A copy of `schema` where every object schema listing `properties` admits no other key."""
    if isinstance(schema, dict):
        out = {key: _close_objects(value) for key, value in schema.items()}
        if "properties" in out and "additionalProperties" not in out and "patternProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_close_objects(item) for item in schema]
    return schema


class OpenApiSchema:
    """The operations of an OpenAPI 3.1 document and a check of responses against them."""

    def __init__(self, document: dict):
        self.document = document
        self._components = _close_objects(document.get("components", {}))
        self._routes: list[tuple[re.Pattern, str, int]] = []
        for template in document["paths"]:
            names = re.findall(r"\{[^}]+\}", template)
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self._routes.append((re.compile(pattern), template, len(names)))
        # Literal segments win over parameters (/api/analysis/validate before /api/analysis/{id}).
        self._routes.sort(key=lambda route: route[2])
        self._validators: dict[str, jsonschema_rs.Draft202012Validator] = {}
        self.checked: set[tuple[str, str, int]] = set()  # (method, template, status) seen

    def template_of(self, path: str) -> str | None:
        for pattern, template, _ in self._routes:
            if pattern.match(path):
                return template
        return None

    def _validator(self, key: str, schema: dict) -> jsonschema_rs.Draft202012Validator:
        if key not in self._validators:
            root = {**_close_objects(schema), "components": self._components}
            self._validators[key] = jsonschema_rs.Draft202012Validator(root)
        return self._validators[key]

    def check(self, response: Response) -> None:
        """Raises AssertionError when the response is not what the document says."""
        path = urllib.parse.urlsplit(response.path).path
        template = self.template_of(path)
        assert template is not None, f"{path} is not in the OpenAPI document\n{response.describe()}"
        operation = self.document["paths"][template].get(response.method.lower())
        if operation is None:
            # Methods the document does not list must be refused with 405 and a JSON error.
            assert response.status == 405, f"undocumented method answered {response.status}\n{response.describe()}"
            self._check_body(response, "#/components/schemas/Error", {"$ref": "#/components/schemas/Error"})
            return
        documented = operation["responses"].get(str(response.status))
        assert documented is not None, (
            f"status {response.status} is not documented for {response.method} {template} "
            f"(documented: {sorted(operation['responses'])})\n{response.describe()}")
        self.checked.add((response.method.upper(), template, response.status))
        content = documented.get("content")
        if not content:
            assert response.body == b"", f"{response.status} is documented without a body\n{response.describe()}"
            return
        media = response.headers.get("content-type", "").split(";")[0].strip()
        assert media in content, f"content type {media!r} not documented ({sorted(content)})\n{response.describe()}"
        if media == "application/json":
            self._check_body(response, f"{response.method} {template} {response.status}", content[media].get("schema", {}))
        if response.status >= 400:
            self._check_body(response, "#/components/schemas/Error", {"$ref": "#/components/schemas/Error"})

    def check_event(self, path: str, event: "SseEvent") -> None:
        """Checks one Server-Sent Event against the text/event-stream schema of `path`'s GET: the
        event name must be one the document lists, and its JSON data must match that event's
        contentSchema."""
        template = self.template_of(path)
        schema = self.document["paths"][template]["get"]["responses"]["200"]["content"]["text/event-stream"]["schema"]
        while "$ref" in schema:
            schema = self.document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        branches = {b["properties"]["event"]["const"]: b["properties"]["data"] for b in schema["oneOf"]}
        assert event.event in branches, f"event {event.event!r} is not documented (documented: {sorted(branches)})"
        data_schema = branches[event.event]
        assert data_schema.get("contentMediaType") == "application/json"
        key = f"event {template} {event.event}"
        errors = [f"{'/'.join(map(str, e.instance_path)) or '(root)'}: {e.message}"
                  for e in self._validator(key, data_schema["contentSchema"]).iter_errors(event.data)]
        assert not errors, f"event {event.event} breaks the OpenAPI schema:\n  " + "\n  ".join(errors) + f"\n{event.data}"

    def _check_body(self, response: Response, key: str, schema: dict) -> None:
        try:
            body = json.loads(response.body)
        except ValueError as e:
            raise AssertionError(f"body is not JSON ({e})\n{response.describe()}") from None
        errors = [f"{'/'.join(map(str, e.instance_path)) or '(root)'}: {e.message}"
                  for e in self._validator(key, schema).iter_errors(body)]
        assert not errors, "response breaks the OpenAPI schema:\n  " + "\n  ".join(errors[:10]) + "\n" + response.describe()


# --- the client ------------------------------------------------------------------------------


@dataclass
class SseEvent:
    event: str
    data: Any  # the parsed JSON of `data:`


@dataclass
class ApiClient:
    base_url: str
    token: str | None
    schema: OpenApiSchema | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def with_token(self, token: str | None) -> "ApiClient":
        return ApiClient(self.base_url, token, self.schema, dict(self.extra_headers))

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        parts = urllib.parse.urlsplit(self.base_url)
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(self.extra_headers)
        if self.token is not None:
            out["Authorization"] = f"Bearer {self.token}"
        out.update(headers or {})
        return out

    def request(self, method: str, path: str, json_body: Any = None, *, body: bytes | str | None = None,
                query: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                timeout: float = REQUEST_TIMEOUT_S, check: bool = True) -> Response:
        """One request. `json_body` is sent as JSON; `body` as given (for bad JSON)."""
        if query:
            path = f"{path}?{urllib.parse.urlencode(query)}"
        all_headers = self._headers(headers)
        if json_body is not None:
            body = json.dumps(json_body)
            all_headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        connection = self._connection(timeout)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            response = Response(method, path, raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
        finally:
            connection.close()
        if check and self.schema is not None:
            self.schema.check(response)
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs) -> Response:
        return self.request("POST", path, json_body, **kwargs)

    def put(self, path: str, json_body: Any = None, **kwargs) -> Response:
        return self.request("PUT", path, json_body, **kwargs)

    def delete(self, path: str, **kwargs) -> Response:
        return self.request("DELETE", path, **kwargs)

    # --- SSE -------------------------------------------------------------------------------

    def events(self, job_id: str, timeout: float = REQUEST_TIMEOUT_S) -> Iterator[SseEvent]:
        """The events of GET /api/analysis/jobs/{id}/events, as they arrive, until the stream ends."""
        path = f"/api/analysis/jobs/{job_id}/events"
        connection = self._connection(timeout)
        try:
            connection.request("GET", path, headers=self._headers({"Accept": "text/event-stream"}))
            raw = connection.getresponse()
            headers = {k.lower(): v for k, v in raw.getheaders()}
            if raw.status != 200:
                response = Response("GET", path, raw.status, headers, raw.read())
                if self.schema is not None:
                    self.schema.check(response)
                raise AssertionError(f"the event stream was refused\n{response.describe()}")
            if self.schema is not None:
                self.schema.check(Response("GET", path, raw.status, headers, b""))
            assert headers.get("content-type", "").startswith("text/event-stream"), headers
            name, data = None, []
            while True:
                line = raw.readline()
                if not line:
                    break  # the server ended the stream
                text = line.decode("utf-8").rstrip("\r\n")
                if text == "":
                    if name is not None or data:
                        event = SseEvent(name or "message", json.loads("\n".join(data)))
                        if self.schema is not None:
                            self.schema.check_event(path, event)
                        yield event
                    name, data = None, []
                elif text.startswith(":"):
                    continue  # a comment (keep-alive)
                elif text.startswith("event:"):
                    name = text[len("event:"):].strip()
                elif text.startswith("data:"):
                    data.append(text[len("data:"):].strip())
        finally:
            connection.close()

    # --- helpers ---------------------------------------------------------------------------

    def create_analysis(self, name: str, script: str) -> dict:
        response = self.post("/api/analysis", {"name": name, "script": script})
        assert response.status == 201, response.describe()
        return response.json

    def execute(self, analysis: str, parameters: dict | None = None) -> str:
        body = {} if parameters is None else {"parameters": parameters}
        response = self.post(f"/api/analysis/{analysis}/execute", body)
        assert response.status == 202, response.describe()
        return response.json["job_id"]

    def job(self, job_id: str, wait_ms: int | None = None) -> dict:
        query = None if wait_ms is None else {"wait_ms": wait_ms}
        response = self.get(f"/api/analysis/jobs/{job_id}", query=query)
        assert response.status == 200, response.describe()
        return response.json

    def wait(self, job_id: str, timeout_s: float = 60) -> dict:
        """The job's status once it has finished (long-polls with wait_ms)."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.job(job_id, wait_ms=10_000)
            if status["status"] in FINISHED:
                return status
            assert time.monotonic() < deadline, f"job {job_id} did not finish within {timeout_s} s: {status}"

    def wait_for_status(self, job_id: str, wanted: str, timeout_s: float = 60) -> dict:
        """Polls until the job has status `wanted`; fails if it finishes in another state."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.job(job_id)
            if status["status"] == wanted:
                return status
            assert status["status"] not in FINISHED, f"job {job_id} ended {status['status']} before {wanted}: {status}"
            assert time.monotonic() < deadline, f"job {job_id} was not {wanted} within {timeout_s} s: {status}"
            time.sleep(0.02)


def read_tokens(created: str) -> tuple[str, str]:
    """The token and the [[tokens]] lines from the output of `analysis-sandbox token create`."""
    token = re.search(r"^\s+(as_\S+)\s*$", created, re.MULTILINE)
    block = re.search(r"^\[\[tokens\]\].*", created, re.MULTILINE | re.DOTALL)
    assert token and block, f"unexpected output of token create:\n{created}"
    return token.group(1), block.group(0).strip()

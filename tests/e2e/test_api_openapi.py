"""The OpenAPI 3.1 document at /api/openapi.json: it is the file in the tree, it describes every
endpoint the tests know (and no other), and what it promises about errors holds.

The responses themselves are checked against it by the client in every API test (api_client.py)
and by schemathesis (test_api_schemathesis.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_api_auth import ENDPOINTS

DOCUMENT_FILE = Path(__file__).resolve().parents[2] / "src" / "server" / "openapi.json"
PUBLIC = {("GET", "/api/health"), ("GET", "/api/openapi.json")}


def operations(document: dict):
    for template, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), template, operation


def as_template(path: str) -> str:
    """/api/analysis/{a}/versions/1 -> /api/analysis/{analysis_id}/versions/{version}."""
    path = path.split("?")[0].replace("{a}", "{analysis_id}").replace("{j}", "{job_id}")
    return path.replace("/versions/1", "/versions/{version}").replace("/parameters/colour/", "/parameters/{param_name}/")


def test_the_served_document_is_the_file_in_the_tree(anonymous):
    served = anonymous.get("/api/openapi.json")
    assert served.headers["content-type"].startswith("application/json")
    assert served.json == json.loads(DOCUMENT_FILE.read_text(encoding="utf-8"))


def test_it_is_openapi_3_1_with_bearer_security(openapi):
    document = openapi.document
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}]


def test_every_endpoint_is_documented_and_every_documented_endpoint_is_tested(openapi):
    documented = {(method, template) for method, template, _ in operations(openapi.document)}
    tested = {(method, as_template(path)) for method, path, _ in ENDPOINTS} | PUBLIC
    assert documented == tested


@pytest.mark.parametrize("method,template,role", [(m, as_template(p), r) for m, p, r in ENDPOINTS])
def test_every_operation_documents_its_errors(openapi, method, template, role):
    operation = openapi.document["paths"][template][method.lower()]
    assert operation.get("operationId") and operation.get("summary")
    responses = operation["responses"]
    assert "401" in responses, "every call with a token may be refused"
    if "{" in template:
        assert "404" in responses, "an id in the path may be unknown"
    if role == "author":
        assert "403" in responses
    if "requestBody" in operation:
        assert {"400", "413"} <= set(responses)
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, status


@pytest.mark.parametrize("method,template", sorted(PUBLIC))
def test_public_operations_need_no_token(openapi, method, template):
    assert openapi.document["paths"][template][method.lower()]["security"] == []


def test_every_path_parameter_is_declared(openapi):
    for method, template, operation in operations(openapi.document):
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        in_path = {part[1:-1] for part in template.split("/") if part.startswith("{")}
        assert declared == in_path, (method, template)

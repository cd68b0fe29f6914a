"""End-to-end tests of `analysis-sandbox analyses ...` (docs/cli.md): the catalog operations of
the service layer on the configured store, as an operator or a script sees them."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES_DIR, PROCESS_TIMEOUT_S

SUCCESS, SCRIPT_ERROR, BAD_INPUT = 0, 1, 2
SECRET = "Zq9-analyses-DISTINCT-secret-4471"

CONFIG = """\
data_dir = "data"

[projects.sales.datasources.warehouse]
type = "postgres"
host = "127.0.0.1"
database = "sales"
user = "analyst"
password = { env = "E2E_ANALYSES_PG_PASSWORD" }
"""


def script(title: str, body: str = "return { ok: true };", extra: str = "") -> str:
    return f"export default {{\n  title: {json.dumps(title)},\n{extra}  async run(ctx, params) {{\n    {body}\n  }}\n}};\n"


@pytest.fixture
def catalog(as_bin: Path, tmp_path: Path):
    """catalog(*args) runs `analysis-sandbox analyses --config <tmp config> --project sales ARGS`."""
    config = tmp_path / "analysis-sandbox.toml"
    config.write_text(CONFIG)
    env = dict(os.environ, E2E_ANALYSES_PG_PASSWORD=SECRET)
    env.pop("ANALYSIS_SANDBOX_CONFIG", None)

    def run(*args: str | os.PathLike, project: str = "sales"):
        argv = [str(as_bin), "analyses", "--config", str(config), "--project", project, *(str(a) for a in args)]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S, cwd=tmp_path, env=env)
        assert SECRET not in proc.stdout and SECRET not in proc.stderr, "a secret value reached the output"
        return proc

    return run


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_versioning_round_trip(catalog, tmp_path: Path):
    v1 = write(tmp_path, "v1.js", script("Report", extra='  dependencies: { datasources: ["warehouse"] },\n'))
    created = catalog("--json", "create", "report", v1)
    assert created.returncode == SUCCESS, created.stderr
    assert json.loads(created.stdout)["version"] == 1

    params = '  parameters: { month: { type: "date", required: true } },\n'
    for n, (extra, body) in enumerate([(params, "return { n: 2 };"), (params, "const x = 1;\n    return { n: 3 };"),
                                       ("", "return { n: 4 };")], start=2):
        path = write(tmp_path, f"v{n}.js", script(f"Report v{n}", body, extra))
        updated = catalog("update", "report", path, "-m", f"change {n}", "--json")
        assert updated.returncode == SUCCESS, updated.stderr
        assert json.loads(updated.stdout)["version"] == n

    diff = json.loads(catalog("diff", "report", "1", "3", "--json").stdout)
    assert diff["version1"] == 1 and diff["version2"] == 3
    assert diff["changes"]["dependencies"]["datasources"] == {"added": [], "removed": ["warehouse"]}
    assert diff["changes"]["parameters"]["added"] == ["month"]
    assert diff["changes"]["script_lines"]["added"] >= 1

    restored = catalog("restore", "report", "2", "--reason", "v3 broke the totals", "--json")
    assert restored.returncode == SUCCESS, restored.stderr
    assert json.loads(restored.stdout) == {"success": True, "new_version": 5, "restored_from": 2, "reason": "v3 broke the totals"}

    versions = json.loads(catalog("versions", "report", "--json").stdout)
    assert versions["current_version"] == 5
    assert [v["version"] for v in versions["versions"]] == [5, 4, 3, 2, 1]
    newest = versions["versions"][0]
    assert newest["restored_from"] == 2 and "v3 broke the totals" in newest["change_description"]
    shown = json.loads(catalog("show", "report", "--json").stdout)
    assert shown["title"] == "Report v2" and shown["version"] == 5
    assert shown["parameters"]["month"]["type"] == "date"
    old = json.loads(catalog("version", "report", "2", "--json").stdout)
    assert old["change_description"] == "change 2" and "Report v2" in old["script"]

    human = catalog("versions", "report")
    assert "restored from v2" in human.stdout


def test_invalid_script_is_not_saved_and_every_error_is_listed(catalog, tmp_path: Path):
    bad = write(tmp_path, "bad.js", 'export default {\n  title: "x",\n  dependencies: { datasources: ["nope"] },\n'
                                    '  run(ctx) { return eval("1"); }\n};\n')
    result = catalog("create", "bad", bad)
    assert result.returncode == SCRIPT_ERROR
    assert "eval" in result.stderr and "Datasource 'nope' not found" in result.stderr
    assert "line 4" in result.stderr
    assert json.loads(catalog("list", "--json").stdout) == []

    report = catalog("validate", bad, "--json")
    assert report.returncode == SCRIPT_ERROR
    body = json.loads(report.stdout)
    assert body["valid"] is False and len(body["errors"]) == 2
    assert {d["line"] for d in body["error_details"]} == {3, 4}


def test_validate_success_shape(catalog, tmp_path: Path):
    good = write(tmp_path, "good.js", script("Good", extra='  dependencies: { datasources: ["warehouse"] },\n'
                                                           '  parameters: { limit: { type: "number", default: 5 } },\n'))
    report = catalog("validate", good, "--json")
    assert report.returncode == SUCCESS, report.stdout
    assert json.loads(report.stdout) == {"valid": True, "metadata": {"title": "Good", "datasources": ["warehouse"],
                                                                      "analyses": [], "parameters": ["limit"]}}


def test_errors_name_the_problem(catalog, tmp_path: Path):
    missing = catalog("show", "nothing")
    assert missing.returncode == BAD_INPUT and "analysis 'nothing' not found" in missing.stderr
    assert "not configured" in catalog("list", project="elsewhere").stderr
    no_file = catalog("create", "x", tmp_path / "missing.js")
    assert no_file.returncode == BAD_INPUT and "missing.js" in no_file.stderr
    bad_name = catalog("create", "no spaces", write(tmp_path, "ok.js", script("Ok")))
    assert bad_name.returncode == BAD_INPUT and "invalid analysis name 'no spaces'" in bad_name.stderr
    ok = write(tmp_path, "ok.js", script("Ok"))
    assert catalog("create", "dup", ok).returncode == SUCCESS
    dup = catalog("create", "dup", ok)
    assert dup.returncode == BAD_INPUT and "dup" in dup.stderr
    as_json = catalog("--json", "version", "dup", "9")
    assert json.loads(as_json.stdout)["error"]["code"] == "not_found"


def test_delete_is_soft_and_frees_the_name(catalog, tmp_path: Path):
    ok = write(tmp_path, "ok.js", script("Ok"))
    assert catalog("create", "gone", ok).returncode == SUCCESS
    assert catalog("delete", "gone").returncode == SUCCESS
    assert json.loads(catalog("list", "--json").stdout) == []
    assert catalog("show", "gone").returncode == BAD_INPUT
    assert catalog("create", "gone", ok).returncode == SUCCESS


def test_the_examples_validate_on_the_embedded_defaults(as_bin: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_SANDBOX_CONFIG"}
    for example in sorted([*EXAMPLES_DIR.glob("*.js"), *EXAMPLES_DIR.glob("server/*.js")]):
        proc = subprocess.run([str(as_bin), "analyses", "validate", str(example)], capture_output=True, text=True,
                              timeout=PROCESS_TIMEOUT_S, cwd=tmp_path, env=env)
        assert proc.returncode == SUCCESS, f"{example.name}: {proc.stdout}{proc.stderr}"

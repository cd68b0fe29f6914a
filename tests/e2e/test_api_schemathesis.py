"""schemathesis (PyPI) against /api/openapi.json: generated and mutated requests to every
operation, as role author (which may call every endpoint). No response may be a 5xx, break its
schema, carry an undocumented status code or content type, accept a request the schema forbids,
or answer an undocumented method with anything but 405 (and its Allow header).

Two of schemathesis's checks are configured off, with reasons (see CONFIG):
  positive_data_acceptance  a script or a parameter set can match the schema and still be
                            refused (422): the schema cannot say what valid JavaScript is.
  use_after_free (jobs)     DELETE /api/analysis/jobs/{id} stops a job; the job's record stays
                            readable, as the spec says.

The run is bounded: a fixed number of examples per operation, a fixed seed (set
AS_SCHEMATHESIS_SEED to explore others) and a process timeout.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest_api import GREETER
from test_api_jobs import OPTIONS

MAX_EXAMPLES = 25
TIMEOUT_S = 240
CONFIG = """
[checks]
positive_data_acceptance.enabled = false

[[operations]]
include-path-regex = "^/api/analysis/jobs/"
checks.use_after_free.enabled = false

[[operations]]
include-operation-id = "parameterOptions"
parameters = { analysis_id = "st_options", param_name = "city" }
"""


def test_schemathesis_finds_no_server_error_and_no_schema_violation(fresh_server, api_tokens, openapi, tmp_path):
    server = fresh_server()
    token = api_tokens["author"][0]
    author = server.client(token, openapi)
    author.create_analysis("st_greeter", GREETER)
    author.create_analysis("st_options", OPTIONS)
    assert author.wait(author.execute("st_greeter"))["status"] == "completed"

    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    seed = os.environ.get("AS_SCHEMATHESIS_SEED", "20240115")
    argv = [sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
            "--config-file", str(config), "--no-color", "run", f"{server.base_url}/api/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--max-examples", str(MAX_EXAMPLES), "--seed", seed, "--workers", "1",
            "--request-timeout", "70", "--output-truncate", "false"]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT_S,
                          env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"})
    report = done.stdout[-20000:] + done.stderr[-5000:]
    assert done.returncode == 0, f"schemathesis failed (exit {done.returncode}, seed {seed}):\n{report}\n{server.output()[-5000:]}"
    selected = re.search(r"Selected: (\d+)/(\d+)", done.stdout)
    tested = re.search(r"Tested: (\d+)", done.stdout)
    assert selected and tested and selected.group(1) == selected.group(2) == tested.group(1), "every operation was tested\n" + report

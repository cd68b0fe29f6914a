"""End-to-end tests of the configuration (docs/configuration.md) through the built binary:
`analysis-sandbox config check` and `analysis-sandbox token create`.

What the reader accepts and refuses key by key is tested in tests/unit/config_*_test.cpp; here
we check what an operator sees: the redacted output, exit codes, and that no secret value ever
reaches stdout or stderr.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import EXAMPLES_DIR, PROCESS_TIMEOUT_S, Completed

SUCCESS, BAD_INPUT = 0, 2
CONFIG_VARIABLE = "ANALYSIS_SANDBOX_CONFIG"
DISTINCT_SECRET = "Vx7-e2e-DISTINCT-secret-value-93qp"
TOKEN_PATTERN = re.compile(r"\bas_[A-Za-z0-9_-]{43}\b")

CONFIG_WITH_SECRETS = """\
[projects.sales.datasources.warehouse]
type = "postgres"
host = "db.example.com"
database = "sales"
user = "analyst"
password = { env = "E2E_PG_PASSWORD" }

[projects.sales.datasources.lake]
type = "s3"
bucket = "lake"
access_key_id = { env = "E2E_S3_KEY_ID" }
secret_access_key = { env = "E2E_S3_SECRET" }

[projects.sales.datasources.crm]
type = "rest"
base_url = "https://crm.example.com/api"
headers = { Accept = "application/json", Authorization = { env = "E2E_CRM_AUTH" } }
"""


@pytest.fixture
def run(as_bin: Path, tmp_path: Path):
    """run(*args, env={...}) runs the binary in tmp_path with the config variable unset unless given."""

    def invoke(*args: str | os.PathLike, env: dict[str, str] | None = None) -> Completed:
        environment = {k: v for k, v in os.environ.items() if k != CONFIG_VARIABLE}
        environment.update(env or {})
        argv = [str(as_bin), *(str(a) for a in args)]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S, cwd=tmp_path, env=environment)
        return Completed(argv, proc.returncode, proc.stdout, proc.stderr)

    return invoke


def secrets_set_to_distinct_value() -> dict[str, str]:
    return {name: DISTINCT_SECRET for name in ("E2E_PG_PASSWORD", "E2E_S3_KEY_ID", "E2E_S3_SECRET", "E2E_CRM_AUTH")}


def test_without_a_config_file_the_embedded_defaults_are_used(run, tmp_path):
    done = run("config", "check")
    assert done.returncode == SUCCESS, done.describe()
    config = json.loads(done.stdout)
    assert config["source"] == "embedded defaults"
    assert config["data_dir"] == str(tmp_path / "data")
    demo = config["projects"]["default"]["datasources"]["demo"]
    assert demo["type"] == "sqlite"
    assert demo["allow_writes"] is False
    assert demo["path"] == str(tmp_path / "data" / "demo" / "demo.sqlite")
    # Checking changes nothing on disk.
    assert list(tmp_path.iterdir()) == []


def test_config_check_shows_secrets_only_as_variable_names(run, tmp_path):
    config_file = tmp_path / "sandbox.toml"
    config_file.write_text(CONFIG_WITH_SECRETS)
    done = run("config", "check", "--config", config_file, env=secrets_set_to_distinct_value())
    assert done.returncode == SUCCESS, done.describe()
    assert DISTINCT_SECRET not in done.stdout + done.stderr
    datasources = json.loads(done.stdout)["projects"]["sales"]["datasources"]
    assert datasources["warehouse"]["password"] == {"env": "E2E_PG_PASSWORD", "set": True}
    assert datasources["lake"]["secret_access_key"] == {"env": "E2E_S3_SECRET", "set": True}
    assert datasources["crm"]["headers"] == {"Accept": "application/json",
                                             "Authorization": {"env": "E2E_CRM_AUTH", "set": True}}


def test_the_config_variable_names_the_file_and_unset_secrets_are_warned_about(run, tmp_path):
    config_file = tmp_path / "sandbox.toml"
    config_file.write_text(CONFIG_WITH_SECRETS)
    env = secrets_set_to_distinct_value()
    del env["E2E_S3_SECRET"]
    env[CONFIG_VARIABLE] = str(config_file)
    done = run("config", "check", env=env)
    assert done.returncode == SUCCESS, done.describe()
    assert json.loads(done.stdout)["source"] == f"file {config_file}"
    assert "warning: projects.sales.datasources.lake.secret_access_key: environment variable E2E_S3_SECRET" in done.stderr
    assert DISTINCT_SECRET not in done.stdout + done.stderr


def test_a_bad_file_is_exit_2_naming_the_file_the_line_and_the_key(run, tmp_path):
    config_file = tmp_path / "broken.toml"
    config_file.write_text("[server]\nprot = 8080\n[projects.p]\n")
    done = run("config", "check", "--config", config_file, env=secrets_set_to_distinct_value())
    assert done.returncode == BAD_INPUT, done.describe()
    assert done.stdout == ""
    assert done.stderr.startswith(f"error: {config_file}:2:1: server.prot: unknown key"), done.stderr
    assert "did you mean 'port'" in done.stderr


def test_a_plain_text_password_is_refused_without_echoing_it(run, tmp_path):
    config_file = tmp_path / "plain.toml"
    config_file.write_text(CONFIG_WITH_SECRETS.replace('{ env = "E2E_PG_PASSWORD" }', f'"{DISTINCT_SECRET}"'))
    done = run("config", "check", "--config", config_file)
    assert done.returncode == BAD_INPUT, done.describe()
    assert "projects.sales.datasources.warehouse.password" in done.stderr
    assert 'password = { env = "NAME" }' in done.stderr
    assert DISTINCT_SECRET not in done.stdout + done.stderr


def test_a_missing_file_is_exit_2_naming_it(run, tmp_path):
    done = run("config", "check", "--config", tmp_path / "absent.toml")
    assert done.returncode == BAD_INPUT, done.describe()
    assert "absent.toml" in done.stderr and "cannot read" in done.stderr
    via_variable = run("config", "check", env={CONFIG_VARIABLE: str(tmp_path / "absent.toml")})
    assert via_variable.returncode == BAD_INPUT, via_variable.describe()
    assert CONFIG_VARIABLE in via_variable.stderr


def test_the_example_config_is_accepted(run):
    done = run("config", "check", "--config", EXAMPLES_DIR / "analysis-sandbox.toml")
    assert done.returncode == SUCCESS, done.describe()
    config = json.loads(done.stdout)
    types = {ds["type"] for project in config["projects"].values() for ds in project["datasources"].values()}
    assert types == {"postgres", "mysql", "sqlite", "clickhouse", "s3", "gcs", "azure", "rest", "openapi", "soap", "graphql"}


def test_token_create_prints_the_token_once_and_lines_with_only_its_hash(run, tmp_path):
    done = run("token", "create", "--project", "sales", "--role", "author", "--name", "mcp-agent")
    assert done.returncode == SUCCESS, done.describe()
    tokens = TOKEN_PATTERN.findall(done.stdout)
    assert len(tokens) == 1, done.stdout
    token = tokens[0]
    lines = done.stdout[done.stdout.index("[[tokens]]"):]
    assert token not in lines
    entry = tomllib.loads(lines)["tokens"][0]
    assert entry == {"name": "mcp-agent", "sha256": hashlib.sha256(token.encode()).hexdigest(),
                     "role": "author", "project": "sales"}

    # The lines paste into a config that then accepts them, and never show the token.
    config_file = tmp_path / "sandbox.toml"
    config_file.write_text(CONFIG_WITH_SECRETS + "\n" + lines)
    check = run("config", "check", "--config", config_file)
    assert check.returncode == SUCCESS, check.describe()
    assert json.loads(check.stdout)["tokens"] == [
        {"name": "mcp-agent", "role": "author", "project": "sales", "sha256_prefix": entry["sha256"][:12]}]
    assert token not in check.stdout + check.stderr


def test_two_created_tokens_differ(run):
    first = TOKEN_PATTERN.findall(run("token", "create", "--project", "p", "--role", "user").stdout)
    second = TOKEN_PATTERN.findall(run("token", "create", "--project", "p", "--role", "user").stdout)
    assert len(first) == len(second) == 1 and first != second


@pytest.mark.parametrize("args, message", [
    (["--project", "p", "--role", "admin"], "--role"),
    (["--project", "../p", "--role", "user"], "../p"),
    (["--role", "user"], "--project"),
])
def test_token_create_refuses_bad_options(run, args, message):
    done = run("token", "create", *args)
    assert done.returncode == BAD_INPUT, done.describe()
    assert message in done.stderr
    assert not TOKEN_PATTERN.search(done.stdout)


def test_token_create_with_a_config_checks_the_project_exists(run, tmp_path):
    config_file = tmp_path / "sandbox.toml"
    config_file.write_text(CONFIG_WITH_SECRETS)
    done = run("token", "create", "--project", "hr", "--role", "user", "--config", config_file)
    assert done.returncode == BAD_INPUT, done.describe()
    assert 'has no project "hr"' in done.stderr
    assert not TOKEN_PATTERN.search(done.stdout)


def test_the_full_example_in_the_docs_is_the_example_file():
    docs = (EXAMPLES_DIR.parent / "docs" / "configuration.md").read_text()
    section = docs[docs.index("## Full example"):]
    block = section[section.index("```toml\n") + len("```toml\n"):]
    block = block[:block.index("```")]
    assert block == (EXAMPLES_DIR / "analysis-sandbox.toml").read_text()

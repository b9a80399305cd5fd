"""tifa on Spark (local[2]): results equal the CLI's on the same files.

One SparkSession for the module; skipped without pyspark or Java.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("pyspark needs Java (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

import pyarrow.parquet as pq  # noqa: E402

import tifa  # noqa: E402
import tifa.spark  # noqa: E402

# Where a match or finding is, and what: the fields the CLI and Spark share.
PLACE = ["line", "column", "end_line", "end_column", "byte_start", "byte_end", "matched", "id"]
SCAN_FIELDS = PLACE + ["term"]
CHECK_FIELDS = PLACE + ["rule", "severity", "message", "suggestion"]

USER_LEXICON = """
[[entry]]
id = "spark-zhuanban"
term = "星火专班"
category = "测试"
definition = "只在测试里有的提法。"
sources = ["测试用"]

[[entry.wrong]]
form = "星火专般"
note = "形近"
"""

DOCX_BODY = (
    '<w:p><w:r><w:t>推进两队一室改革，</w:t></w:r><w:r><w:t>落实一标三实。</w:t></w:r></w:p>'
    "<w:p><w:r><w:t>坚持两队一所。</w:t></w:r></w:p>"
)


def write_docx(path: pathlib.Path, body: str) -> None:
    """A minimal .docx: the three parts Word needs for paragraphs."""
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            f'Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The workers run this Python, the one tifa is installed in.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tifa-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "3")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folder(tmp_path_factory, root):
    """The samples, a GB18030 text, a UTF-16 text, a .docx and an HTML page,
    in nested folders."""
    d = tmp_path_factory.mktemp("docs")
    for p in sorted((root / "samples").iterdir()):
        if p.suffix in (".txt", ".md"):
            shutil.copy(p, d / p.name)
    (d / "sub").mkdir()
    (d / "sub" / "gb.txt").write_bytes("坚持“两队一所”，派出所主防。\n一标三实\n".encode("gb18030"))
    (d / "sub" / "utf16.txt").write_bytes("深化专业＋机制＋大数据。\n".encode("utf-16"))
    write_docx(d / "sub" / "memo.docx", DOCX_BODY)
    (d / "page.html").write_text(
        "<html><body><p>推行<b>两队一室</b>。</p><script>两队一所</script></body></html>",
        encoding="utf-8",
    )
    return d


@pytest.fixture(scope="module")
def files(spark, folder):
    return (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(str(folder))
        .select("path", "content")
    )


def rel(path: str, folder: pathlib.Path) -> str:
    """A path of the CLI's or Spark's (file:/…) relative to the folder."""
    if path.startswith("file:"):
        path = path[len("file:") :]
    return os.path.relpath(path, folder)


def cli_counts(out: dict) -> dict:
    return {e["id"]: (e["term"], e["count"], e["nested"]) for e in out["entries"]}


def spark_counts(rows) -> dict:
    return {r["id"]: (r["term"], r["count"], r["nested"]) for r in rows}


def test_count_equals_cli(cli, files, folder):
    got = tifa.spark.count_terms(files, column="content", name_column="path").collect()
    want = cli("count", "--format", "json", str(folder))
    assert spark_counts(got) == cli_counts(want)
    assert sum(r["count"] for r in got) > 200
    # Most frequent first, then by id; categories are the lexicon's.
    assert [(-r["count"], r["id"]) for r in got] == sorted((-r["count"], r["id"]) for r in got)
    assert {r["id"]: r["category"] for r in got}["liangdui-yishi"] == "警务模式"
    # The documents that need decoding were counted: the .docx, GB18030.
    by_file = tifa.spark.count_terms(files, column="content", by="path", name_column="path").collect()
    assert "yibiao-sanshi" in {r["id"] for r in by_file if r["path"].endswith("memo.docx")}
    assert "paichusuo-zhufang" in {r["id"] for r in by_file if r["path"].endswith("gb.txt")}


def test_count_by_file_equals_cli(cli, files, folder):
    got = tifa.spark.count_terms(files, column="content", by="path", name_column="path")
    assert got.columns == ["path", "id", "term", "category", "count", "nested"]
    per_file: dict = {}
    for r in got.collect():
        per_file.setdefault(rel(r["path"], folder), {})[r["id"]] = (r["term"], r["count"], r["nested"])
    want = cli("count", "--by-file", "--format", "json", str(folder))
    assert per_file == {rel(f["path"], folder): cli_counts(f) for f in want["files"] if f["entries"]}


def test_scan_equals_cli_ndjson(cli, files, folder):
    got = tifa.spark.scan(files, column="content", keep=["path"], name_column="path")
    assert got.columns == ["path"] + tifa.spark.SCAN_COLUMNS
    rows = sorted(
        (rel(r["path"], folder), *(r[f] for f in SCAN_FIELDS)) for r in got.collect()
    )
    want = sorted(
        (rel(m["path"], folder), *(m[f] for f in SCAN_FIELDS))
        for m in cli("scan", "--format", "ndjson", str(folder), ndjson=True)
    )
    assert rows == want
    assert {r[0] for r in rows} >= {"sub/gb.txt", "sub/memo.docx", "sub/utf16.txt", "page.html"}


def test_check_equals_cli_json(cli, files, folder):
    got = tifa.spark.check(files, column="content", keep="path", name_column="path")
    assert got.columns == ["path"] + tifa.spark.CHECK_COLUMNS
    rows = sorted(
        (rel(r["path"], folder), *(r[f] or "" for f in CHECK_FIELDS)) for r in got.collect()
    )
    want = sorted(
        (rel(f["path"], folder), *(f.get(k) or "" for k in CHECK_FIELDS))
        for f in cli("check", "--format", "json", str(folder))["findings"]
    )
    assert rows == want
    rule = 1 + CHECK_FIELDS.index("rule")
    assert ("sub/memo.docx", "wrong-form") in {(r[0], r[rule]) for r in rows}


def test_paths_read_by_the_workers_equal_bytes_through_spark(spark, files, folder, tmp_path):
    listed = files.select("path")
    counted = tifa.spark.count_terms(listed, column="path", paths=True).collect()
    assert counted == tifa.spark.count_terms(files, column="content", name_column="path").collect()
    scanned = tifa.spark.scan(listed, column="path", keep="path", paths=True)
    assert sorted(map(tuple, scanned.collect())) == sorted(
        map(tuple, tifa.spark.scan(files, column="content", keep="path", name_column="path").collect())
    )
    checked = tifa.spark.check(listed, column="path", keep="path", paths=True)
    assert sorted(map(tuple, checked.collect())) == sorted(
        map(tuple, tifa.spark.check(files, column="content", keep="path", name_column="path").collect())
    )
    # Plain paths too, and a file gone since it was listed: a note, not a
    # failed job.
    gone = tmp_path / "gone.txt"
    rows = [(str(folder / "sub" / "gb.txt"),), ("file:" + str(gone),), (None,)]
    df = spark.createDataFrame(rows, "path string")
    acc = tifa.spark.note_accumulator(spark)
    got = tifa.spark.count_terms(df, column="path", paths=True, note_accumulator=acc).collect()
    assert {r["id"] for r in got} >= {"paichusuo-zhufang", "yibiao-sanshi"}
    assert [(k["path"], n.split(":")[0]) for k, n in acc.value] == [("file:" + str(gone), "not read")]
    with pytest.raises(TypeError, match="paths"):
        tifa.spark.count_terms(files, column="content", paths=True)


def test_string_column_equals_scanner(spark):
    texts = ["全面推行“两队一室”改革。", None, "坚持两队一所，深化专业＋机制＋大数据。\n两队一室", "无关。"]
    df = spark.createDataFrame(list(enumerate(texts)), "k long, text string").repartition(2)
    s = tifa.Scanner()
    scanned = sorted(tuple(r) for r in tifa.spark.scan(df, keep=["k"]).collect())
    want = sorted(
        (k, m.byte_start, m.byte_end, m.start, m.end, m.line, m.column, m.end_line, m.end_column,
         m.page, m.end_page, m.matched, m.id, m.term)
        for k, t in enumerate(texts) if t for m in s.scan(t)
    )
    assert scanned == want
    checked = {(r["k"], r["rule"], r["suggestion"]) for r in tifa.spark.check(df, keep="k").collect()}
    assert (2, "wrong-form", "两队一室") in checked
    counts = {(r["k"], r["id"]): (r["count"], r["nested"]) for r in tifa.spark.count_terms(df, by="k").collect()}
    assert counts == {
        (k, i): (c, n) for k, t in enumerate(texts) if t for i, c, n in s.count_detail(t)
    }


def test_user_lexicon_travels_to_the_workers(spark, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(USER_LEXICON, encoding="utf-8")
    scanner = tifa.Scanner(tifa.Lexicon.from_paths(path))
    path.unlink()  # the workers cannot read it: the lexicon goes as text
    df = spark.createDataFrame([("推进星火专班，两队一室。",), ("星火专般",)], "text string")
    counts = {r["id"]: r["count"] for r in tifa.spark.count_terms(df, scanner=scanner).collect()}
    assert counts == {"spark-zhuanban": 1, "liangdui-yishi": 1}
    assert {r["id"] for r in tifa.spark.count_terms(df).collect()} == {"liangdui-yishi"}
    found = tifa.spark.check(df, scanner=scanner).collect()
    assert [(f["matched"], f["suggestion"]) for f in found] == [("星火专般", "星火专班")]
    toml = tifa.Scanner(tifa.Lexicon.from_toml(USER_LEXICON, default=False))
    assert [r["term"] for r in tifa.spark.scan(df, scanner=toml).collect()] == ["星火专班"]


def test_bad_row_gives_a_note_not_a_failure(spark):
    rows = [
        ("bad.txt", "两队一室".encode() + b"\xff\xfe\xfd" + "一标三实".encode()),
        ("good.txt", "派出所主防".encode()),
        ("none.txt", None),
    ]
    df = spark.createDataFrame(rows, "path string, content binary")
    acc = tifa.spark.note_accumulator(spark)
    got = tifa.spark.scan(df, "content", keep="path", name_column="path", note_accumulator=acc).collect()
    assert sorted((r["path"], r["term"]) for r in got) == [
        ("bad.txt", "一标三实"),
        ("bad.txt", "两队一室"),
        ("good.txt", "派出所主防"),
    ]
    assert [k for k, _ in acc.value] == [{"path": "bad.txt"}]
    assert "U+FFFD" in acc.value[0][1]
    noted = tifa.spark.notes(df, "content", keep="path", name_column="path").collect()
    assert [r["path"] for r in noted] == ["bad.txt"] and "U+FFFD" in noted[0]["note"]
    # A string column of invalid UTF-8 cannot exist; a binary one without
    # names is read as documents all the same.
    counts = tifa.spark.count_terms(df.select("content"), "content").collect()
    assert {r["id"]: r["count"] for r in counts}["liangdui-yishi"] == 1


def test_clear_errors(spark):
    df = spark.createDataFrame([(1, "两队一室")], "n long, text string")
    with pytest.raises(ValueError, match="no column 'body'"):
        tifa.spark.scan(df, column="body")
    with pytest.raises(TypeError, match="string or binary"):
        tifa.spark.count_terms(df, column="n")
    with pytest.raises(ValueError, match="keep"):
        tifa.spark.scan(df, keep=["nope"])
    with pytest.raises(ValueError, match="result columns"):
        tifa.spark.scan(df.withColumnRenamed("n", "id"), keep=["id"])
    with pytest.raises(TypeError, match="tifa.Scanner"):
        tifa.spark.count_terms(df, scanner="default")


def job(*args, cwd):
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    p = subprocess.run(
        [sys.executable, "-m", "tifa.spark", *args], capture_output=True, cwd=cwd, env=env
    )
    assert p.returncode == 0, p.stderr.decode()[-3000:]
    return p


def test_job_count_equals_cli(cli, root, tmp_path):
    out = tmp_path / "out.parquet"
    want = cli_counts(cli("count", "--format", "json", "samples"))
    # Read by the workers (the default in local mode), and by Spark.
    for read in ("auto", "spark"):
        job("count", "samples/", str(out), "--master", "local[2]", "--read", read, cwd=root)
        table = pq.read_table(out)
        assert table.column_names == tifa.spark.COUNT_COLUMNS
        assert spark_counts(table.to_pylist()) == want, read


def test_spark_submit_check_parquet_with_lexicon_as_csv(tmp_path, spark):
    """The module file itself, run by spark-submit."""
    lexicon = tmp_path / "mine.toml"
    lexicon.write_text(USER_LEXICON, encoding="utf-8")
    texts = tmp_path / "texts.parquet"
    pq.write_table(pa.table({"doc": ["a", "b"], "text": ["星火专般，两队一所。", "无关"]}), texts)
    out = tmp_path / "found"
    submit = shutil.which("spark-submit", path=os.path.dirname(sys.executable)) or shutil.which(
        "spark-submit"
    )
    if submit is None:
        pytest.skip("no spark-submit")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    p = subprocess.run(
        [submit, "--master", "local[1]", tifa.spark.__file__, "check", str(texts), str(out),
         "--format", "csv", "--lexicon", str(lexicon)],
        capture_output=True, cwd=tmp_path, env=env,
    )
    assert p.returncode == 0, p.stderr.decode()[-3000:]
    rows = spark.read.option("header", "true").csv(str(out)).collect()
    assert sorted((r["doc"], r["matched"], r["suggestion"]) for r in rows) == [
        ("a", "两队一所", "两队一室"),
        ("a", "星火专般", "星火专班"),
    ]

"""Arrow in and out: pyarrow, polars, pandas."""

import pytest

import tifa

pa = pytest.importorskip("pyarrow")
import tifa.arrow  # noqa: E402

TEXTS = ["全面推行“两队一室”改革。", "", None, "坚持两队一所，深化专业+机制+大数据。", "无关。"]


def plain(texts):
    return [t or "" for t in texts]


def test_pyarrow_input_equals_list():
    s = tifa.Scanner()
    arr = pa.array(TEXTS)
    assert s.scan_batch(arr) == s.scan_batch(plain(TEXTS))
    assert s.count_batch(arr) == s.count_batch(plain(TEXTS))
    assert s.check_batch(arr) == s.check_batch(plain(TEXTS))


def test_sliced_and_chunked_arrays():
    s = tifa.Scanner()
    arr = pa.array(TEXTS, type=pa.large_string()).slice(1)
    assert s.scan_batch(arr) == s.scan_batch(plain(TEXTS[1:]))
    chunked = pa.chunked_array([pa.array(TEXTS[:2]), pa.array(TEXTS[2:])])
    assert s.scan_batch(chunked) == s.scan_batch(plain(TEXTS))


def test_polars_series():
    pl = pytest.importorskip("polars")
    s = tifa.Scanner()
    series = pl.Series("text", TEXTS)
    assert s.scan_batch(series) == s.scan_batch(plain(TEXTS))


def test_pandas_arrow_strings():
    pd = pytest.importorskip("pandas")
    s = tifa.Scanner()
    series = pd.Series(TEXTS, dtype=pd.ArrowDtype(pa.string()))
    assert s.check_batch(series) == s.check_batch(plain(TEXTS))


def test_scan_table():
    s = tifa.Scanner()
    table = tifa.arrow.scan(pa.array(TEXTS))
    rows = table.to_pylist()
    want = [(i, m) for i, ms in enumerate(s.scan_batch(plain(TEXTS))) for m in ms]
    assert len(rows) == len(want)
    for r, (i, m) in zip(rows, want):
        assert r["row"] == i
        assert (r["start"], r["end"], r["matched"], r["id"], r["term"]) == (
            m.start,
            m.end,
            m.matched,
            m.id,
            m.term,
        )
    assert table.schema == tifa.arrow.SCAN_SCHEMA


def test_check_table_has_nullable_fields():
    table = tifa.arrow.check(TEXTS)
    rows = table.to_pylist()
    assert [r["row"] for r in rows] == [3]
    assert rows[0]["rule"] == "wrong-form" and rows[0]["suggestion"] == "两队一室"


def test_count_table_equals_count_batch_total():
    s = tifa.Scanner()
    table = tifa.arrow.count(plain(TEXTS))
    got = {r["id"]: (r["count"], r["term"]) for r in table.to_pylist()}
    total = s.count_batch(plain(TEXTS), total=True)
    assert {k: v[0] for k, v in got.items()} == total
    by_row = tifa.arrow.count(plain(TEXTS), by_row=True)
    assert set(by_row.column("row").to_pylist()) == {0, 3}


def test_to_pandas_round_trips():
    table = tifa.arrow.check(TEXTS)
    back = pa.Table.from_pandas(table.to_pandas(), schema=table.schema, preserve_index=False)
    assert back.equals(table)


def test_documents_as_bytes_with_names(root):
    gbk = (root / "tests/fixtures/gbk.txt").read_bytes()
    bad = "两队一室".encode() + b"\xff\xfe\x00garbage" + "两队一室".encode()
    table = tifa.arrow.scan([gbk, bad, "两队一室".encode()], names=["a.txt", "b.txt", "c.txt"])
    rows = table.column("row").to_pylist()
    assert 2 in rows
    notes = table.schema.metadata
    assert notes is None or b"tifa.notes" in notes


def test_pdfs_as_bytes_give_pages(root, cli):
    """A PDF's text layer, as the command line reads it: `line` counts
    within the page that `page` gives (0 for documents without pages)."""
    path = root / "tests/fixtures/pdf/report.pdf"
    pdf = path.read_bytes()
    table = tifa.arrow.check([pdf, "坚持两队一所。"], names=["report.pdf", "memo.txt"])
    rows = table.to_pylist()
    want = cli("check", "--format", "json", str(path))["findings"]
    got = [r for r in rows if r["row"] == 0]
    assert [(r["page"], r["line"], r["column"], r["end_page"], r["matched"]) for r in got] == [
        (w["page"], w["line"], w["column"], w["end_page"], w["matched"]) for w in want
    ]
    assert {r["page"] for r in got} == {1, 2}
    assert [(r["page"], r["end_page"]) for r in rows if r["row"] == 1] == [(0, 0)]
    assert table.schema == tifa.arrow.CHECK_SCHEMA
    scan = tifa.arrow.scan([pdf], names=["report.pdf"]).to_pylist()
    split = [r for r in scan if r["id"] == "liangdui-yishi"]
    assert [(r["page"], r["line"], r["end_page"], r["end_line"]) for r in split] == [(1, 3, 2, 1)]


def test_empty_input():
    assert tifa.arrow.scan([]).num_rows == 0
    assert tifa.Scanner().scan_batch(pa.array([], type=pa.string())) == []

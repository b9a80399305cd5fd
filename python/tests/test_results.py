"""The package's results equal the command line's on the same text."""

import tifa


def test_scan_equals_cli_ndjson(cli, texts):
    scanner = tifa.Scanner()
    for name, text in texts:
        want = cli("scan", "--format", "ndjson", "-", stdin=text, ndjson=True)
        got = scanner.scan(text)
        assert len(got) == len(want), name
        for m, w in zip(got, want):
            assert (m.byte_start, m.byte_end, m.line, m.column, m.end_line, m.end_column) == (
                w["byte_start"],
                w["byte_end"],
                w["line"],
                w["column"],
                w["end_line"],
                w["end_column"],
            ), name
            assert (m.matched, m.id, m.term) == (w["matched"], w["id"], w["term"])
            # Code point offsets are Python string indices.
            assert text[m.start : m.end] == m.matched
            assert len(text.encode()[: m.byte_start].decode()) == m.start


def test_count_equals_cli_json(cli, texts):
    scanner = tifa.Scanner()
    for name, text in texts:
        want = cli("count", "--format", "json", "-", stdin=text)
        assert scanner.count(text) == {e["id"]: e["count"] for e in want["entries"]}, name
        detail = {i: (c, n) for i, c, n in scanner.count_detail(text)}
        assert detail == {e["id"]: (e["count"], e["nested"]) for e in want["entries"]}


def test_check_equals_cli_json(cli, texts):
    scanner = tifa.Scanner()
    fields = ["byte_start", "byte_end", "line", "column", "end_line", "end_column"]
    fields += ["rule", "severity", "message", "matched", "suggestion", "id"]
    seen = 0
    for name, text in texts:
        want = cli("check", "--format", "json", "--stdin-filename", name, "-", stdin=text)
        got = scanner.check(text, path=name)
        assert [{f: getattr(x, f) for f in fields} for x in got] == [
            {f: w[f] for f in fields} for w in want["findings"]
        ], name
        for x in got:
            assert text[x.start : x.end] == x.matched
        seen += len(got)
    assert seen > 10, "the check fixtures hold misquotes"


def test_check_in_english(cli):
    text = "坚持两队一所。"
    want = cli("check", "--format", "json", "--lang", "en", "-", stdin=text)
    got = tifa.Scanner().check(text, lang="en")
    assert [f.message for f in got] == [w["message"] for w in want["findings"]]


def test_fix_equals_cli_fix(cli, root):
    import subprocess

    from conftest import _binary

    text = "推进两队一所建设，坚持市县主战,派出所主防。\n"
    fixed = subprocess.run(
        [_binary(), "--no-config", "check", "--fix", "-"],
        input=text.encode(),
        capture_output=True,
    ).stdout.decode()
    assert tifa.Scanner().fix(text) == fixed
    assert "两队一室" in fixed


def test_annotate(cli):
    scanner = tifa.Scanner()
    page = scanner.annotate("全面推行两队一室。", format="html")
    assert page.startswith("<!DOCTYPE html>") and "两队一室" in page
    md = scanner.annotate("全面推行两队一室。", format="markdown")
    assert "[^1]" in md
    try:
        scanner.annotate("x", format="pdf")
    except ValueError as e:
        assert "html" in str(e)
    else:
        raise AssertionError("a bad format must raise")

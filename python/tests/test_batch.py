"""Batches equal their texts one by one, on one thread or all."""

import pytest

import tifa


@pytest.fixture(scope="module")
def docs(texts):
    return [t for _, t in texts] + ["", "无关的文字。", "两队一室" * 50]


@pytest.mark.parametrize("threads", [None, 1, 2])
def test_scan_batch(docs, threads):
    s = tifa.Scanner()
    assert s.scan_batch(docs, threads=threads) == [s.scan(t) for t in docs]


@pytest.mark.parametrize("threads", [None, 1, 2])
def test_count_batch(docs, threads):
    s = tifa.Scanner()
    assert s.count_batch(docs, threads=threads) == [s.count(t) for t in docs]


def test_count_batch_total(docs):
    s = tifa.Scanner()
    total = {}
    for t in docs:
        for k, v in s.count(t).items():
            total[k] = total.get(k, 0) + v
    got = s.count_batch(docs, total=True)
    assert got == total
    counts = list(got.values())
    assert counts == sorted(counts, reverse=True), "most frequent first"


@pytest.mark.parametrize("threads", [None, 1])
def test_check_batch(docs, threads):
    s = tifa.Scanner()
    assert s.check_batch(docs, threads=threads) == [s.check(t) for t in docs]


def test_bytes_are_documents(root):
    s = tifa.Scanner()
    text = "全面推行两队一室改革，坚持两队一所。\n"
    gbk = (root / "tests/fixtures/gbk.txt").read_bytes()
    utf16 = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    docs = [text.encode(), utf16, gbk]
    assert s.scan_batch(docs)[:2] == [s.scan(text), s.scan(text)]
    assert s.count_batch(docs)[0] == s.count_batch([text])[0]
    assert s.check_batch(docs)[1] == s.check(text)
    gbk_text = gbk.decode("gb18030")
    assert s.count_batch([gbk])[0] == s.count(gbk_text) != {}


def test_bad_arguments():
    s = tifa.Scanner()
    with pytest.raises(TypeError):
        s.scan(b"bytes")
    with pytest.raises(TypeError):
        s.scan_batch(["ok", 3])
    with pytest.raises(TypeError):
        s.count_batch([bytearray(b"x")])
    with pytest.raises(ValueError):
        s.scan_batch(["ok"], threads=0)
    with pytest.raises(ValueError):
        s.check("x", lang="fr")


@pytest.mark.parametrize("threads", [1, 2])
def test_a_bad_item_late_in_a_batch_fails_it(threads):
    # The workers are already counting the texts before it.
    s = tifa.Scanner()
    docs = ["两队一室" * 1000] * 50
    with pytest.raises(TypeError):
        s.count_batch(docs + [3], threads=threads)
    with pytest.raises(UnicodeEncodeError):
        s.count_batch(docs + ["两队\ud800一室"], threads=threads)
    assert s.count_batch(docs, threads=threads)[49] == s.count(docs[0])

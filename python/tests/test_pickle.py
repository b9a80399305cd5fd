"""A scanner pickles as its lexicon source and is rebuilt once per process."""

import multiprocessing
import pickle

import tifa

USER = """
[[entry]]
id = "test-yiwang-tongguan"
term = "一网通管"
category = "测试"
definition = "测试用的条目。"
sources = ["测试用"]
"""


def test_pickle_keeps_the_source_not_the_automaton():
    s = tifa.Scanner()
    data = pickle.dumps(s)
    # The embedded lexicon is named by its fingerprint, not copied.
    assert len(data) < 2_000
    back = pickle.loads(data)
    assert back.version == s.version
    text = "推行两队一室。"
    assert back.scan(text) == s.scan(text)


def test_user_lexicon_travels():
    lexicon = tifa.Lexicon.from_toml(USER)
    s = tifa.Scanner(lexicon)
    back = pickle.loads(pickle.dumps(s))
    assert [m.id for m in back.scan("推进一网通管。")] == ["test-yiwang-tongguan"]
    assert back.version == s.version != tifa.Scanner().version


def test_rebuilt_once_per_process():
    s = tifa.Scanner(tifa.Lexicon.from_toml(USER))
    data = pickle.dumps(s)
    before = tifa._tifa.Engine.rebuilt_count()
    a = pickle.loads(data)
    b = pickle.loads(data)
    assert tifa._tifa.Engine.rebuilt_count() <= before + 1
    assert a.scan("一网通管") == b.scan("一网通管")


def _ids(args):
    scanner, text = args
    return [m.id for m in scanner.scan(text)]


def test_multiprocessing_spawn():
    s = tifa.Scanner(tifa.Lexicon.from_toml(USER))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        got = pool.map(_ids, [(s, "一网通管"), (s, "两队一室")])
    assert got == [["test-yiwang-tongguan"], ["liangdui-yishi"]]


def test_lexicon_pickles():
    lexicon = tifa.Lexicon.from_toml({"mine.toml": USER})
    back = pickle.loads(pickle.dumps(lexicon))
    assert len(back) == len(lexicon) and back.version == lexicon.version

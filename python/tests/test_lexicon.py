"""The lexicon: embedded, user files, look-ups, errors."""

import pytest

import tifa


def test_embedded():
    lexicon = tifa.Lexicon.embedded()
    assert len(lexicon) > 2000
    assert len(lexicon.version) == 16
    assert tifa.Lexicon.embedded().version == lexicon.version


def test_lookup_every_field(cli):
    lexicon = tifa.Lexicon.embedded()
    found = lexicon.lookup("两队一室")
    want = cli("lookup", "--format", "json", "两队一室")["entries"]
    assert [e.id for e in found] == [w["id"] for w in want]
    e = found[0]
    w = want[0]
    assert e.term == "两队一室" and e.match == w["match"]
    assert list(e.components) == w["components"]
    assert [f.form for f in e.wrong] == [f["form"] for f in w["wrong"]]
    assert e.definition == w["definition"] and e.en == w["en"]
    assert list(e.sources) == w["sources"]


def test_reverse_lookup_by_component():
    ids = [e.id for e in tifa.Lexicon.embedded().lookup("社区警务队")]
    assert "liangdui-yishi" in ids


def test_entries_and_get():
    lexicon = tifa.Lexicon.embedded()
    entries = lexicon.entries()
    assert len(entries) == len(lexicon)
    assert lexicon.get("liangdui-yishi").term == "两队一室"
    assert lexicon.get("no-such-id") is None


def test_from_paths(root):
    lexicon = tifa.Lexicon.from_paths([root / "tests/fixtures/lexicon.toml"], default=False)
    assert len(lexicon) < 20
    s = tifa.Scanner(lexicon)
    assert [m.id for m in s.scan("推行两队一室。")] == ["liangdui-yishi"]


def test_bad_lexicon_raises_with_locations(root):
    with pytest.raises(tifa.LexiconError) as e:
        tifa.Lexicon.from_paths(str(root / "tests/fixtures/broken-lexicon.toml"))
    message = str(e.value)
    assert "broken-lexicon.toml:9:6: duplicate id `a`" in message
    assert "broken-lexicon.toml:12:14: empty definition in entry `a`" in message
    assert isinstance(e.value, ValueError)


def test_bad_toml_text():
    with pytest.raises(tifa.LexiconError) as e:
        tifa.Lexicon.from_toml({"mine.toml": "[[entry]\nid = 1"})
    assert str(e.value).startswith("mine.toml:1:")


def test_missing_path():
    with pytest.raises(tifa.LexiconError):
        tifa.Lexicon.from_paths("/no/such/lexicon.toml")

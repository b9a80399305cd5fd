"""tifa (提法): find, explain, count and check Chinese policing terms.

The lexicon of formulations is built in; the engine is tifa's Rust library,
and it works with the GIL released::

    import tifa

    scanner = tifa.Scanner()
    scanner.scan("全面推行“两队一室”改革。")[0].term   # '两队一室'
    scanner.count("两队一室，两队一室")                 # {'liangdui-yishi': 2}
    scanner.check("两队一所")[0].suggestion           # '两队一室'

Results equal the command line's on the same text: ``scan`` lists what
``tifa scan`` lists, ``count`` counts as ``tifa count`` (nested occurrences
included), ``check`` finds what ``tifa check`` finds. Offsets are given in
code points (``start``, ``end``: Python string indices) and in bytes of
the UTF-8 text (``byte_start``, ``byte_end``); ``line`` and ``column`` are
1-based, columns count characters.

Batches (``scan_batch``, ``count_batch``, ``check_batch``) take a list of
``str`` or ``bytes`` (the bytes of a document, decoded as ``tifa`` decodes a
file: UTF-8, UTF-16 with a BOM, GB18030 — on the worker threads, so the
quickest way to hand over files is ``open(path, "rb").read()``), or any
Arrow string array (pyarrow, polars, pandas with Arrow
strings, anything with ``__arrow_c_array__`` or ``__arrow_c_stream__``) and
work on all cores (``threads=None``) or on the calling thread only
(``threads=1``). ``tifa.arrow`` gives the same results as Arrow tables.

A scanner pickles as its lexicon's source (the TOML texts and a
fingerprint), not as its automaton; unpickling builds the automaton once
per process, so ``multiprocessing`` and Spark workers pay for it once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence, Union

from . import _tifa
from ._tifa import Finding, LexiconError, Match

__all__ = [
    "Entry",
    "Finding",
    "Lexicon",
    "LexiconError",
    "Match",
    "Scanner",
    "FormNote",
]

__version__ = "0.1.0"


@dataclass(frozen=True)
class FormNote:
    """A wrong or outdated form of an entry, with why it is so."""

    form: str
    note: Optional[str] = None


@dataclass(frozen=True)
class Entry:
    """A lexicon entry: every field of ``tifa lexicon export --format json``.

    ``match`` says how a lookup found it (``term``, ``variant``,
    ``component``, ``prefix``, ``pinyin``, ``fuzzy`` …); it is ``None`` for
    entries that were not looked up.
    """

    id: str
    term: str
    category: str
    definition: str
    components: tuple = ()
    variants: tuple = ()
    wrong: tuple = ()
    outdated: tuple = ()
    en: Optional[str] = None
    sources: tuple = ()
    related: tuple = ()
    examples: tuple = ()
    counterexamples: tuple = ()
    superseded_by: Optional[str] = None
    scope: str = "police"
    context: Optional[str] = None
    followed_by: tuple = ()
    notes: Optional[str] = None
    en_note: Optional[str] = None
    not_wrong: tuple = ()
    match: Optional[str] = field(default=None, compare=False)

    @classmethod
    def _of(cls, d: dict) -> "Entry":
        d = dict(d)
        for key in ("wrong", "outdated"):
            d[key] = tuple(FormNote(**f) for f in d.get(key, ()))
        for key, value in list(d.items()):
            if isinstance(value, list):
                d[key] = tuple(value)
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in known})


def _layers_of_paths(paths: Any) -> list:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return [os.fspath(p) for p in paths]


def _rebuild_lexicon(default: bool, layers: list, version: str) -> "Lexicon":
    return Lexicon(_tifa.Engine.rebuild(default, layers, version))


def _rebuild_scanner(default: bool, layers: list, version: str) -> "Scanner":
    return Scanner(_rebuild_lexicon(default, layers, version))


class Lexicon:
    """The entries tifa knows: the embedded lexicon, and the user's TOML
    files layered over it (an entry of a later layer replaces one of the
    same ``id``)."""

    __slots__ = ("_engine",)

    def __init__(self, _engine: "_tifa.Engine"):
        if not isinstance(_engine, _tifa.Engine):
            raise TypeError(
                "use Lexicon.embedded(), Lexicon.from_paths(...) or Lexicon.from_toml(...)"
            )
        self._engine = _engine

    @classmethod
    def embedded(cls) -> "Lexicon":
        """The lexicon built into tifa."""
        return cls(_tifa.Engine.embedded())

    @classmethod
    def from_paths(
        cls, paths: Union[str, "os.PathLike[str]", Iterable[Any]], default: bool = True
    ) -> "Lexicon":
        """Lexicon files, or folders of ``.toml`` files, each a layer over
        the embedded lexicon (none with ``default=False``).

        Raises :class:`LexiconError` with every problem as
        ``file:line:column: message``, as ``tifa`` prints them.
        """
        return cls(_tifa.Engine.from_paths(_layers_of_paths(paths), default))

    @classmethod
    def from_toml(
        cls, texts: Union[str, Sequence[str], dict], default: bool = True
    ) -> "Lexicon":
        """Lexicon TOML given as text: one string, a list of strings (one
        layer each) or a dict of name → text (the names show in errors)."""
        if isinstance(texts, str):
            named = [("<toml>", texts)]
        elif isinstance(texts, dict):
            named = list(texts.items())
        else:
            named = [(f"<toml {i + 1}>", t) for i, t in enumerate(texts)]
        layers = [[(str(name), text)] for name, text in named]
        return cls(_tifa.Engine.from_sources(layers, default))

    @property
    def version(self) -> str:
        """A fingerprint of the entries (16 hex digits): equal for the same
        lexicon files on every machine."""
        return self._engine.version

    def __len__(self) -> int:
        return len(self._engine)

    def __repr__(self) -> str:
        return f"<tifa.Lexicon {len(self)} entries, version {self.version}>"

    def entries(self) -> list:
        """Every entry, in lexicon order."""
        return [Entry._of(d) for d in json.loads(self._engine.entries_json())]

    def __iter__(self):
        return iter(self.entries())

    def lookup(
        self,
        query: str,
        category: Optional[str] = None,
        in_definitions: bool = False,
    ) -> list:
        """The entries ``tifa lookup QUERY`` finds: by term, variant, wrong
        form, component (社区警务队 → 两队一室), prefix, pinyin or,
        failing those, fuzzily; best first."""
        found = json.loads(self._engine.lookup_json(query, category, in_definitions))
        return [Entry._of(d) for d in found]

    def get(self, id: str) -> Optional[Entry]:
        """The entry of ``id``, or ``None``."""
        for e in self.lookup(id):
            if e.id == id:
                return e
        return None

    def __reduce__(self):
        default, layers = self._engine.source()
        return (_rebuild_lexicon, (default, layers, self.version))


def _engine_of(lexicon: Optional[Lexicon]) -> "_tifa.Engine":
    if lexicon is None:
        return _embedded()
    if isinstance(lexicon, Lexicon):
        return lexicon._engine
    raise TypeError(f"lexicon must be a tifa.Lexicon, not {type(lexicon).__name__}")


_EMBEDDED = None


def _embedded() -> "_tifa.Engine":
    global _EMBEDDED
    if _EMBEDDED is None:
        _EMBEDDED = _tifa.Engine.embedded()
    return _EMBEDDED


class Scanner:
    """Finds, counts and checks the terms of a lexicon (the embedded one by
    default). Cheap to share between threads; pickles as its lexicon's
    source."""

    __slots__ = ("_engine", "_lexicon")

    def __init__(self, lexicon: Optional[Lexicon] = None):
        self._engine = _engine_of(lexicon)
        self._lexicon = lexicon if lexicon is not None else Lexicon(self._engine)

    @property
    def lexicon(self) -> Lexicon:
        return self._lexicon

    @property
    def version(self) -> str:
        """The lexicon's fingerprint."""
        return self._engine.version

    def __repr__(self) -> str:
        return f"<tifa.Scanner {len(self._lexicon)} entries, version {self.version}>"

    def __reduce__(self):
        default, layers = self._engine.source()
        return (_rebuild_scanner, (default, layers, self.version))

    # One text.

    def scan(self, text: str) -> list:
        """Every occurrence of a term (outermost spans, leftmost-longest),
        as :class:`Match` objects in text order."""
        return self._engine.scan(_str(text))

    def count(self, text: str) -> dict:
        """``{id: count}`` per entry, nested occurrences included (as
        ``tifa count``), most frequent first."""
        return self._engine.count(_str(text))

    def count_detail(self, text: str) -> list:
        """``[(id, count, nested)]``: ``nested`` of the ``count`` lie inside
        another term's span."""
        return self._engine.count_detail(_str(text))

    def check(self, text: str, lang: str = "zh", path: str = "<text>") -> list:
        """The problems ``tifa check`` reports, as :class:`Finding` objects
        (messages in Chinese, or English with ``lang="en"``). A ``path``
        ending in ``.md`` skips Markdown code, as the command line does."""
        return self._engine.check(_str(text), lang, path)

    def fix(self, text: str, path: str = "<text>") -> str:
        """The text with every fixable finding fixed (as ``tifa check
        --fix``)."""
        return self._engine.fix(_str(text), path)

    def annotate(self, text: str, format: str = "html", path: str = "<text>") -> str:
        """The text with every term marked and explained: a self-contained
        HTML page (``format="html"``) or Markdown with footnotes
        (``format="markdown"``)."""
        return self._engine.annotate(_str(text), format, path)

    # Many texts.

    def scan_batch(self, texts: Any, threads: Optional[int] = None) -> list:
        """:meth:`scan` of each text: one list of matches per text."""
        arrays = _arrow_arrays(texts)
        if arrays is None:
            return self._engine.scan_batch(_strs(texts), _threads(threads))
        return _rows(self._engine, "scan", arrays, threads)

    def count_batch(
        self, texts: Any, threads: Optional[int] = None, total: bool = False
    ) -> Union[list, dict]:
        """:meth:`count` of each text; with ``total=True``, one dict of
        counts over all the texts (what ``tifa count`` gives for files)."""
        arrays = _arrow_arrays(texts)
        if arrays is None:
            return self._engine.count_batch(_strs(texts), _threads(threads), total)
        rows = _rows(self._engine, "count", arrays, threads)
        if not total:
            return rows
        all: dict = {}
        for r in rows:
            for k, v in r.items():
                all[k] = all.get(k, 0) + v
        return dict(sorted(all.items(), key=lambda kv: -kv[1]))

    def check_batch(self, texts: Any, threads: Optional[int] = None, lang: str = "zh") -> list:
        """:meth:`check` of each text: one list of findings per text."""
        arrays = _arrow_arrays(texts)
        if arrays is None:
            return self._engine.check_batch(_strs(texts), _threads(threads), lang)
        return _rows(self._engine, "check", arrays, threads, lang=lang)


def _str(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    return text


def _strs(texts: Any) -> list:
    texts = list(texts)
    for t in texts:
        if not isinstance(t, (str, bytes)):
            raise TypeError(f"texts must be str or bytes, not {type(t).__name__}")
    return texts


def _threads(threads: Optional[int]) -> Optional[int]:
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError("threads must be None (all cores) or a positive int")
    return threads


def _arrow_arrays(texts: Any):
    """The pyarrow arrays of an Arrow-like ``texts``, or ``None`` for a
    plain sequence of str."""
    from . import arrow

    return arrow._arrays(texts)


def _rows(engine, what: str, arrays: list, threads, lang: str = "zh") -> list:
    from . import arrow

    out: list = []
    for arr, names in arrays:
        rows, _notes = arrow._call(engine, what, arr, names, threads, lang, columns=False)
        out.extend(rows)
    return out

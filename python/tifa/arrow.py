"""tifa's results as Arrow tables, for pandas, polars and Spark.

Each function takes the texts as a list of ``str`` or any Arrow string
array — a ``pyarrow.Array`` or ``ChunkedArray``, a polars ``Series``, a
pandas ``Series`` of Arrow strings, or anything with ``__arrow_c_array__``
or ``__arrow_c_stream__`` (the Arrow PyCapsule interface) — and returns a
``pyarrow.Table`` with one row per match, finding or count, with ``row``,
the index of the input text::

    import pyarrow as pa, tifa.arrow
    table = tifa.arrow.scan(pa.array(["两队一室", "一标三实"]))
    table.to_pandas()

The strings reach the engine as the array's buffers: no Python object is
made per text (the buffers are copied once, in bulk, since the limited
Python API tifa's wheel is built on has no buffer protocol before 3.11).
A binary array is read as documents when ``names`` gives each row a file
name (``.docx``, ``.html``, ``.pdf``, GB18030 or UTF-16 text …), as ``tifa`` reads
files; rows read with replacement characters are reported in the
table's ``notes`` metadata, and a null row gives nothing.

Needs ``pyarrow`` (``pip install './python[arrow]'``).
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from . import Scanner, _threads, _tifa

__all__ = ["scan", "check", "count", "SCAN_SCHEMA", "CHECK_SCHEMA", "COUNT_SCHEMA"]


def _pa():
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError(
            "tifa.arrow needs pyarrow: pip install 'tifa[arrow]' (or pyarrow)"
        ) from e
    return pyarrow


# The position columns of scan and check tables, as the engine makes them.
_POSITIONS = list(_tifa.POSITIONS)


def _schema(ints: list, strings: list, nullable: Sequence[str] = ()):
    pa = _pa()
    fields = [pa.field(n, pa.int64(), nullable=False) for n in ints]
    fields += [pa.field(n, pa.large_string(), nullable=n in nullable) for n in strings]
    return pa.schema(fields)


def _scan_schema():
    return _schema(_POSITIONS, ["matched", "id", "term"])


def _check_schema():
    return _schema(
        _POSITIONS,
        ["rule", "severity", "message", "matched", "suggestion", "id"],
        nullable=("suggestion", "id"),
    )


def _count_schema(by_row: bool):
    if by_row:
        return _schema(["row", "count", "nested"], ["id", "term", "category"])
    pa = _pa()
    return pa.schema(
        [
            pa.field("id", pa.large_string(), nullable=False),
            pa.field("term", pa.large_string()),
            pa.field("category", pa.large_string()),
            pa.field("count", pa.int64(), nullable=False),
            pa.field("nested", pa.int64(), nullable=False),
        ]
    )


def __getattr__(name: str):
    # The schemas need pyarrow: made when asked for.
    if name == "SCAN_SCHEMA":
        return _scan_schema()
    if name == "CHECK_SCHEMA":
        return _check_schema()
    if name == "COUNT_SCHEMA":
        return _count_schema(True)
    raise AttributeError(name)


def _arrays(texts: Any):
    """``[(pyarrow array, names)]`` of Arrow-like ``texts``, or ``None``
    for a plain sequence of ``str``."""
    if isinstance(texts, (list, tuple)) or texts is None:
        return None
    is_arrow = any(
        hasattr(texts, a) for a in ("__arrow_c_array__", "__arrow_c_stream__", "to_arrow")
    )
    module = type(texts).__module__ or ""
    if not is_arrow and not module.startswith(("pyarrow", "pandas", "polars")):
        return None
    pa = _pa()
    return [(a, None) for a in _chunks(pa, texts)]


def _chunks(pa, texts: Any) -> list:
    """The pyarrow arrays (chunks) of an Arrow-like object."""
    if isinstance(texts, pa.ChunkedArray):
        chunks = texts.chunks
    elif isinstance(texts, pa.Array):
        chunks = [texts]
    elif type(texts).__module__.startswith("pandas"):
        chunks = _chunks(pa, pa.array(texts))
    elif hasattr(texts, "__arrow_c_stream__"):
        chunks = pa.chunked_array(texts).chunks
    elif hasattr(texts, "__arrow_c_array__"):
        chunks = [pa.array(texts)]
    elif hasattr(texts, "to_arrow"):  # older polars
        return _chunks(pa, texts.to_arrow())
    else:
        chunks = [pa.array(texts)]
    return [_strings(pa, c) for c in chunks]


def _strings(pa, arr):
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return arr
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return arr
    # string_view (polars' strings), dictionary-encoded strings …
    try:
        return arr.cast(pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise TypeError(f"texts must be an Arrow string array, not {t}") from e


def _call(engine, what: str, arr, names, threads, lang: str, columns: bool):
    """Runs ``what`` over one pyarrow array through the engine's buffers."""
    pa = _pa()
    t = arr.type
    large = pa.types.is_large_string(t) or pa.types.is_large_binary(t)
    binary = pa.types.is_binary(t) or pa.types.is_large_binary(t)
    validity, offsets, data = arr.buffers()[:3]
    width = 8 if large else 4
    if offsets is None:  # an empty array may have no buffers
        offsets_bytes = b"\0" * width * (len(arr) + 1)
    else:
        offsets_bytes = offsets.to_pybytes()
    if names is None and binary:
        names = ["<bytes>"] * len(arr)
    return engine.arrow(
        what,
        offsets_bytes,
        data.to_pybytes() if data is not None else b"",
        arr.offset,
        len(arr),
        large,
        validity.to_pybytes() if validity is not None and arr.null_count else None,
        list(names) if names is not None else None,
        _threads(threads),
        lang,
        columns,
    )


def _table(pa, schema, parts: list, notes: list):
    """One table of the engine's column dicts (one per chunk), the row
    numbers shifted to count across the chunks."""
    tables = []
    for columns, row_base in parts:
        arrays = []
        for f in schema:
            kind, n, *buffers = columns[f.name]
            if kind == "int64":
                arr = pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(buffers[0])])
                if f.name == "row" and row_base:
                    arr = pa.compute.add(arr, row_base)
            else:
                offsets, data, validity, nulls = buffers
                arr = pa.Array.from_buffers(
                    pa.large_string(),
                    n,
                    [
                        pa.py_buffer(validity) if validity is not None else None,
                        pa.py_buffer(offsets),
                        pa.py_buffer(data),
                    ],
                    null_count=nulls,
                )
            arrays.append(arr)
        tables.append(pa.Table.from_arrays(arrays, schema=schema))
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    if notes:
        meta = {b"tifa.notes": json.dumps(notes, ensure_ascii=False).encode()}
        table = table.replace_schema_metadata(meta)
    return table


def _run(what: str, texts: Any, scanner, names, threads, lang: str):
    pa = _pa()
    import pyarrow.compute  # noqa: F401  (pa.compute)

    engine = (scanner or Scanner())._engine
    if isinstance(texts, (list, tuple)):
        if names is not None:
            chunks = [pa.array(list(texts), type=pa.large_binary())]
        else:
            chunks = [pa.array(list(texts), type=pa.large_string())]
    else:
        chunks = _chunks(pa, texts)
    parts, notes, base = [], [], 0
    name_list = list(names) if names is not None else None
    for arr in chunks:
        chunk_names = None
        if name_list is not None:
            chunk_names = name_list[base : base + len(arr)]
        columns, chunk_notes = _call(engine, what, arr, chunk_names, threads, lang, True)
        parts.append((columns, base))
        notes.extend([row + base, note] for row, note in chunk_notes)
        base += len(arr)
    return parts, notes


def scan(
    texts: Any,
    scanner: Optional[Scanner] = None,
    names: Optional[Sequence[str]] = None,
    threads: Optional[int] = None,
):
    """One row per match: ``row``, the offsets (``byte_start``,
    ``byte_end``, ``start``, ``end`` in code points), ``line``, ``column``,
    ``end_line``, ``end_column``, ``page``, ``end_page`` (pages of a PDF,
    where ``line`` counts within the page; 0 for other documents),
    ``matched``, ``id``, ``term``."""
    pa = _pa()
    parts, notes = _run("scan", texts, scanner, names, threads, "zh")
    return _table(pa, _scan_schema(), parts, notes)


def check(
    texts: Any,
    scanner: Optional[Scanner] = None,
    names: Optional[Sequence[str]] = None,
    threads: Optional[int] = None,
    lang: str = "zh",
):
    """One row per finding: ``row``, the offsets and positions, ``rule``,
    ``severity``, ``message``, ``matched``, ``suggestion``, ``id`` (the
    fields of ``tifa check --format json``)."""
    pa = _pa()
    parts, notes = _run("check", texts, scanner, names, threads, lang)
    return _table(pa, _check_schema(), parts, notes)


def count(
    texts: Any,
    scanner: Optional[Scanner] = None,
    names: Optional[Sequence[str]] = None,
    threads: Optional[int] = None,
    by_row: bool = False,
):
    """Counts per entry over all the texts (``id``, ``term``, ``category``,
    ``count``, ``nested``; most frequent first, as ``tifa count``), or with
    ``by_row=True`` one row per (text, entry) with ``row``."""
    pa = _pa()
    parts, notes = _run("count", texts, scanner, names, threads, "zh")
    table = _table(pa, _count_schema(True), parts, notes)
    if by_row:
        return table
    grouped = table.group_by(["id", "term", "category"]).aggregate(
        [("count", "sum"), ("nested", "sum")]
    )
    grouped = grouped.rename_columns(["id", "term", "category", "count", "nested"])
    grouped = grouped.sort_by([("count", "descending"), ("id", "ascending")])
    out = grouped.select(["id", "term", "category", "count", "nested"]).cast(_count_schema(False))
    if notes:
        out = out.replace_schema_metadata(table.schema.metadata)
    return out

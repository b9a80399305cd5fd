"""tifa on Spark: count, scan and check the texts of a DataFrame.

Each function maps the DataFrame's Arrow batches through tifa's engine
(``DataFrame.mapInArrow``: no Python object per row), on one thread per
task — Spark owns the cores::

    import tifa, tifa.spark

    df = spark.read.format("binaryFile").load("reports/")   # path, content
    tifa.spark.count_terms(df, column="content", name_column="path").show()
    tifa.spark.scan(df, column="content", name_column="path", keep=["path"])
    tifa.spark.check(df, column="content", name_column="path", keep=["path"])

Results equal the command line's on the same texts: ``count_terms`` gives
``tifa count``'s counts (``id, term, category, count, nested``, most
frequent first), ``scan`` one row per match with the positions of
``tifa scan --format ndjson``, ``check`` one row per finding with the
fields of ``tifa check --format json``.

The text column is a string column, or a binary one holding documents'
bytes; with ``name_column`` (a column of file names) these are decoded as
``tifa`` decodes files: UTF-8, UTF-16 with a BOM, GB18030, ``.docx``, ``.pdf``,
``.html`` … A row that could only be read with replacement characters
(U+FFFD) still gives its results; its note is logged on the executor
(logger ``tifa.spark``), given by :func:`notes` as a DataFrame, and added
to ``note_accumulator`` when one is passed (see :func:`note_accumulator`).

The scanner (the embedded lexicon by default, or ``tifa.Scanner(
tifa.Lexicon.from_paths(...))``) travels with the job pickled as its
lexicon's TOML text and fingerprint, so lexicon files need not exist on the
workers; each Python worker process builds the automaton once.

Given a column of file paths with ``paths=True`` instead, the Python
workers read the files themselves (``spark.read.format("binaryFile")
.load(...).select("path")`` lists them without reading them)::

    listed = spark.read.format("binaryFile").load("reports/").select("path")
    tifa.spark.count_terms(listed, column="path", paths=True)

Also a ready job (``python -m tifa.spark --help``, or ``spark-submit
.../tifa/spark.py``) reading a folder of files or a Parquet dataset.

Needs ``pyspark`` and ``pyarrow`` (``pip install './python[spark]'``).
"""

from __future__ import annotations

import argparse
import glob as _glob
import logging
import os
import sys
from typing import TYPE_CHECKING, Any, Iterator, List, Optional, Sequence, Union

# Absolute imports: this file also runs as a script (spark-submit spark.py).
import tifa
import tifa.arrow as _arrow

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow
    from pyspark import Accumulator
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["count_terms", "scan", "check", "notes", "note_accumulator", "main"]

log = logging.getLogger("tifa.spark")

# The columns of the engine's results, in the order they are given.
_POSITIONS = [c for c in _arrow._POSITIONS if c != "row"]
SCAN_COLUMNS = _POSITIONS + ["matched", "id", "term"]
CHECK_COLUMNS = _POSITIONS + ["rule", "severity", "message", "matched", "suggestion", "id"]
COUNT_COLUMNS = ["id", "term", "category", "count", "nested"]


def _sql():
    try:
        import pyspark.sql.functions as F
        import pyspark.sql.types as T
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError(
            "tifa.spark needs pyspark: pip install 'tifa[spark]' (or pyspark pyarrow)"
        ) from e
    return F, T


# The driver side: columns and schemas.


def _columns(df: "DataFrame", names: Sequence[str], what: str) -> List[str]:
    have = set(df.columns)
    missing = [n for n in names if n not in have]
    if missing:
        raise ValueError(
            f"{what}: no column {', '.join(map(repr, missing))} in the DataFrame "
            f"(it has {', '.join(df.columns)})"
        )
    return list(names)


def _list(value: Union[None, str, Sequence[str]]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _text_field(df: "DataFrame", column: str, name_column: Optional[str]):
    _, T = _sql()
    _columns(df, [column] + ([name_column] if name_column else []), "tifa.spark")
    kind = df.schema[column].dataType
    if not isinstance(kind, (T.StringType, T.BinaryType)):
        raise TypeError(
            f"column {column!r} must be a string or binary column, not {kind.simpleString()}"
        )
    if name_column and not isinstance(df.schema[name_column].dataType, T.StringType):
        raise TypeError(f"name column {name_column!r} must be a string column")


def _out_schema(df: "DataFrame", keep: Sequence[str], ints: Sequence[str], strings: Sequence[str], nullable=()):
    _, T = _sql()
    fields = [df.schema[k] for k in keep]
    fields += [T.StructField(n, T.LongType(), False) for n in ints]
    fields += [T.StructField(n, T.StringType(), n in nullable) for n in strings]
    return T.StructType(fields)


def _check_keep(keep: Sequence[str], results: Sequence[str]) -> None:
    clash = [k for k in keep if k in results]
    if clash:
        raise ValueError(
            f"keep columns {clash} have the names of result columns; rename them first"
        )


# The worker side: one Arrow batch at a time.


class _Job:
    """What a task needs, pickled once per task: the scanner (as its
    lexicon's source), the column names, the note accumulator."""

    def __init__(
        self,
        what: str,
        scanner: Optional["tifa.Scanner"],
        column: str,
        name_column: Optional[str],
        keep: Sequence[str],
        lang: str = "zh",
        accumulator: Optional["Accumulator"] = None,
        paths: bool = False,
    ):
        if scanner is not None and not isinstance(scanner, tifa.Scanner):
            raise TypeError(f"scanner must be a tifa.Scanner, not {type(scanner).__name__}")
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
        self.what = what
        self.scanner = scanner
        self.column = column
        self.name_column = name_column
        self.keep = list(keep)
        self.lang = lang
        self.accumulator = accumulator
        self.paths = paths

    def engine(self):
        return (self.scanner or tifa.Scanner())._engine

    def run(self, batch: "pyarrow.RecordBatch"):
        """The engine's columns over one batch (``row`` = index in the
        batch), and its notes as ``(row, note)``."""
        import pyarrow as pa

        arr = batch.column(self.column)
        names = None
        if self.name_column is not None:
            names = [n if n is not None else "<bytes>" for n in batch.column(self.name_column).to_pylist()]
        unread = []
        if self.paths:
            arr, unread = _read_all(pa, arr.to_pylist())
        columns, notes = _arrow._call(
            self.engine(), self.what, arr, names, 1, self.lang, columns=True
        )
        notes = sorted(unread + list(notes))
        schema = {
            "scan": _arrow._scan_schema,
            "check": _arrow._check_schema,
            "count": lambda: _arrow._count_schema(True),
        }[self.what]()
        table = _arrow._table(pa, schema, [(columns, 0)], [])
        if notes:
            self.note(batch, names, notes)
        return table, notes

    def note(self, batch, names, notes) -> None:
        for row, text in notes:
            where = names[row] if names is not None else f"row {row} of a batch"
            log.warning("tifa: %s: %s", where, text)
        if self.accumulator is not None:
            keys = self.keep or ([self.name_column] if self.name_column else [])
            rows = [r for r, _ in notes]
            kept = batch.select(keys).take(rows).to_pylist() if keys else [{}] * len(rows)
            self.accumulator.add([(k, n) for k, (_, n) in zip(kept, notes)])

    def with_keep(self, batch, table, columns: Sequence[str]):
        """The result columns as Spark's Arrow types, after the ``keep``
        columns of each result's input row."""
        import pyarrow as pa

        rows = table.column("row").combine_chunks()
        arrays, names = [], []
        if self.keep:
            kept = batch.select(self.keep).take(rows)
            arrays += list(kept.columns)
            names += self.keep
        for c in columns:
            col = table.column(c)
            if pa.types.is_large_string(col.type):
                col = col.cast(pa.string())
            arrays.append(col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col)
            names.append(c)
        return pa.RecordBatch.from_arrays(arrays, names=names)


_filesystems: dict = {}


def _read(uri: str) -> bytes:
    """The bytes of a file named by a local path, a ``file:`` URI (as
    Spark's ``binaryFile`` names local files) or a URI ``pyarrow.fs``
    opens (``s3://``, ``gs://``, ``hdfs://`` …)."""
    scheme, sep, rest = uri.partition(":")
    if not sep or len(scheme) < 2 or scheme == "file":
        path = uri
        if scheme == "file":
            path = rest[2:] if rest.startswith("///") else rest
        with open(path, "rb") as f:
            return f.read()
    from urllib.parse import urlsplit

    import pyarrow.fs

    where = urlsplit(uri)
    if where.scheme not in ("s3", "gs", "gcs", "hdfs"):
        fs, path = pyarrow.fs.FileSystem.from_uri(uri)
    else:
        # One filesystem per bucket or name node, not one per file.
        key = (where.scheme, where.netloc)
        if key not in _filesystems:
            _filesystems[key] = pyarrow.fs.FileSystem.from_uri(uri)[0]
        fs = _filesystems[key]
        path = where.path if where.scheme == "hdfs" else where.netloc + where.path
    with fs.open_input_stream(path) as f:
        return f.read()


def _read_all(pa, uris):
    """The files of a batch's paths as a binary array (null where a path
    is null or the file cannot be read), and a note for each not read."""
    blobs, notes = [], []
    for row, uri in enumerate(uris):
        blob = None
        if uri is not None:
            try:
                blob = _read(uri)
            except OSError as e:
                notes.append((row, f"not read: {e.strerror or e}"))
        blobs.append(blob)
    return pa.array(blobs, type=pa.large_binary()), notes


def _matches(job: _Job, columns: Sequence[str]):
    def each(batches: Iterator["pyarrow.RecordBatch"]):
        for batch in batches:
            table, _ = job.run(batch)
            if table.num_rows:
                yield job.with_keep(batch, table, columns)

    return each


def _counts(job: _Job):
    by = job.keep

    def each(batches: Iterator["pyarrow.RecordBatch"]):
        import pyarrow as pa

        for batch in batches:
            table, _ = job.run(batch)
            if not table.num_rows:
                continue
            if by:
                kept = batch.select(by).take(table.column("row").combine_chunks())
                for name, col in zip(by, kept.columns):
                    table = table.append_column(name, col)
            # Summed within the batch: the shuffle moves one row per
            # (group, entry) and batch, not one per text.
            keys = by + ["id", "term", "category"]
            grouped = table.group_by(keys).aggregate([("count", "sum"), ("nested", "sum")])
            grouped = grouped.rename_columns(keys + ["count", "nested"])
            arrays = []
            for c in keys + ["count", "nested"]:
                col = grouped.column(c).combine_chunks()
                if pa.types.is_large_string(col.type):
                    col = col.cast(pa.string())
                arrays.append(col)
            yield pa.RecordBatch.from_arrays(arrays, names=keys + ["count", "nested"])

    return each


def _noted(job: _Job):
    def each(batches: Iterator["pyarrow.RecordBatch"]):
        import pyarrow as pa

        for batch in batches:
            _, found = job.run(batch)
            if not found:
                continue
            rows = pa.array([r for r, _ in found], type=pa.int64())
            arrays = list(batch.select(job.keep).take(rows).columns) if job.keep else []
            arrays.append(pa.array([n for _, n in found], type=pa.string()))
            yield pa.RecordBatch.from_arrays(arrays, names=job.keep + ["note"])

    return each


def _name_column(column: str, name_column: Optional[str], paths: bool) -> Optional[str]:
    """With ``paths``, each file is named by its path unless told."""
    return name_column if name_column is not None or not paths else column


def _prepare(df, column, name_column, keep, results, paths=False):
    if paths:
        _, T = _sql()
        _columns(df, [column], "tifa.spark")
        if not isinstance(df.schema[column].dataType, T.StringType):
            raise TypeError(f"with paths=True, column {column!r} must hold paths as strings")
    _text_field(df, column, name_column)
    keep = _columns(df, _list(keep), "keep")
    _check_keep(keep, results)
    needed = list(dict.fromkeys(keep + [column] + ([name_column] if name_column else [])))
    return keep, df.select(*needed)


# The functions.


def count_terms(
    df: "DataFrame",
    column: str = "text",
    by: Union[None, str, Sequence[str]] = None,
    scanner: Optional["tifa.Scanner"] = None,
    name_column: Optional[str] = None,
    note_accumulator: Optional["Accumulator"] = None,
    paths: bool = False,
) -> "DataFrame":
    """Counts per entry over the texts of ``column``, as ``tifa count``:
    ``id, term, category, count, nested`` (``nested`` of the ``count`` lie
    inside another term's span), most frequent first (then by ``id``).

    With ``by`` (a column or columns), one count per group and entry, the
    ``by`` columns first. ``name_column`` names each row's document (its
    file name) so binary rows decode as ``tifa`` decodes files. With
    ``paths``, ``column`` holds files' paths instead (as :func:`scan`).
    """
    F, _ = _sql()
    by = _list(by)
    name_column = _name_column(column, name_column, paths)
    by, source = _prepare(df, column, name_column, by, COUNT_COLUMNS, paths)
    job = _Job("count", scanner, column, name_column, by, accumulator=note_accumulator, paths=paths)
    schema = _out_schema(df, by, [], ["id", "term", "category"], nullable=("term", "category"))
    _, T = _sql()
    schema = T.StructType(
        list(schema.fields)
        + [T.StructField("count", T.LongType(), False), T.StructField("nested", T.LongType(), False)]
    )
    partial = source.mapInArrow(_counts(job), schema)
    out = partial.groupBy(*(by + ["id", "term", "category"])).agg(
        F.sum("count").cast("long").alias("count"), F.sum("nested").cast("long").alias("nested")
    )
    order = [*(F.col(b).asc() for b in by), F.col("count").desc(), F.col("id").asc()]
    if not by:
        # At most one row per entry: sorted in one partition, without the
        # sampling job of a global sort.
        return out.coalesce(1).sortWithinPartitions(*order)
    return out.orderBy(*order)


def scan(
    df: "DataFrame",
    column: str = "text",
    keep: Union[None, str, Sequence[str]] = None,
    scanner: Optional["tifa.Scanner"] = None,
    name_column: Optional[str] = None,
    note_accumulator: Optional["Accumulator"] = None,
    paths: bool = False,
) -> "DataFrame":
    """One row per match, in text order within each row: the ``keep``
    columns of the input row, then ``byte_start, byte_end`` (bytes of the
    UTF-8 text), ``start, end`` (code points), ``line, column, end_line,
    end_column`` (1-based, columns in characters), ``page, end_page`` (a
    PDF's pages, where ``line`` counts within the page; 0 for other
    documents), ``matched, id, term``.

    With ``paths``, ``column`` is a string column of files' paths or URIs
    that the Python workers read themselves (local paths, ``file:`` URIs
    as ``binaryFile`` gives them, and ``s3://``, ``gs://``, ``hdfs://``
    through ``pyarrow.fs``), each decoded as ``tifa`` decodes a file of
    that name; a file that cannot be read is a note, not a failed job.
    This skips moving the files' bytes through the JVM and the Arrow
    socket, which costs more than the scan (BENCHMARKS.md).
    """
    name_column = _name_column(column, name_column, paths)
    keep, source = _prepare(df, column, name_column, keep, SCAN_COLUMNS, paths)
    job = _Job("scan", scanner, column, name_column, keep, accumulator=note_accumulator, paths=paths)
    schema = _out_schema(df, keep, _POSITIONS, ["matched", "id", "term"])
    return source.mapInArrow(_matches(job, SCAN_COLUMNS), schema)


def check(
    df: "DataFrame",
    column: str = "text",
    keep: Union[None, str, Sequence[str]] = None,
    scanner: Optional["tifa.Scanner"] = None,
    name_column: Optional[str] = None,
    lang: str = "zh",
    note_accumulator: Optional["Accumulator"] = None,
    paths: bool = False,
) -> "DataFrame":
    """One row per finding of ``tifa check``: the ``keep`` columns, then
    the fields of ``tifa check --format json`` (``byte_start … end_column,
    page, end_page, rule, severity, message, matched, suggestion, id``; ``suggestion`` and
    ``id`` may be null). Messages in Chinese, or English with
    ``lang="en"``. A ``name_column`` ending in ``.md`` skips Markdown code,
    as the command line does."""
    name_column = _name_column(column, name_column, paths)
    keep, source = _prepare(df, column, name_column, keep, CHECK_COLUMNS, paths)
    job = _Job("check", scanner, column, name_column, keep, lang, note_accumulator, paths)
    schema = _out_schema(
        df,
        keep,
        _POSITIONS,
        ["rule", "severity", "message", "matched", "suggestion", "id"],
        nullable=("suggestion", "id"),
    )
    return source.mapInArrow(_matches(job, CHECK_COLUMNS), schema)


def notes(
    df: "DataFrame",
    column: str = "text",
    keep: Union[None, str, Sequence[str]] = None,
    name_column: Optional[str] = None,
) -> "DataFrame":
    """The rows tifa read with replacement characters (invalid bytes) or
    skipped (an unreadable document): the ``keep`` columns and ``note``.
    Reads every text once more; to have the notes of a run as it goes, pass
    a :func:`note_accumulator` to it instead."""
    _, T = _sql()
    keep, source = _prepare(df, column, name_column, keep, ["note"])
    job = _Job("count", None, column, name_column, keep)
    schema = T.StructType(
        [df.schema[k] for k in keep] + [T.StructField("note", T.StringType(), False)]
    )
    return source.mapInArrow(_noted(job), schema)


def note_accumulator(spark: "SparkSession") -> "Accumulator":
    """An accumulator of the notes of a run: ``[(kept, note)]``, ``kept``
    the dict of the ``keep`` columns (or of the name column) of the noted
    row. Pass it as ``note_accumulator=`` and read ``.value`` after an
    action (a retried task may add its notes twice)."""
    return spark.sparkContext.accumulator([], _ListParam())


try:
    from pyspark.accumulators import AccumulatorParam as _AccumulatorParam
except ImportError:  # pragma: no cover - pyspark missing; the functions say so
    _AccumulatorParam = object  # type: ignore[assignment,misc]


class _ListParam(_AccumulatorParam):  # type: ignore[misc,valid-type]
    def zero(self, value):
        return []

    def addInPlace(self, a, b):
        a.extend(b)
        return a


# The job.


def _is_parquet(path: str) -> bool:
    if path.endswith(".parquet"):
        return True
    if os.path.isdir(path):
        return bool(_glob.glob(os.path.join(path, "*.parquet"))) or bool(
            _glob.glob(os.path.join(path, "*", "*.parquet"))
        )
    return False


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tifa.spark",
        description=(
            "Count, scan or check the Chinese policing terms (提法) of many "
            "documents on Spark. INPUT is a folder or glob of files (read as "
            "bytes and decoded as tifa decodes files: UTF-8, UTF-16, GB18030, "
            ".docx, .html …) or a Parquet file or folder with a text column."
        ),
    )
    p.add_argument("command", choices=["count", "scan", "check"])
    p.add_argument("input", help="a folder, a glob (reports/**/*.txt) or Parquet")
    p.add_argument("output", help="the folder to write (replaced when it exists)")
    p.add_argument("--format", choices=["parquet", "csv", "json"], default="parquet")
    p.add_argument(
        "--input-format",
        choices=["auto", "files", "parquet"],
        default="auto",
        help="auto: Parquet when INPUT ends in .parquet or holds .parquet files",
    )
    p.add_argument("--column", default="text", help="the text column of Parquet input (default text)")
    p.add_argument("--name-column", help="Parquet input: a column of file names for binary texts")
    p.add_argument("--keep", action="append", default=None, metavar="COL",
                   help="scan/check of Parquet: input columns to keep (default all but the text)")
    p.add_argument("--by", action="append", default=None, metavar="COL",
                   help="count of Parquet: group by this column (repeatable)")
    p.add_argument("--by-file", action="store_true", help="count: one count per file (by path)")
    p.add_argument("--lexicon", action="append", default=[], metavar="PATH",
                   help="a lexicon TOML file or folder (repeatable), shipped with the job")
    p.add_argument("--no-default-lexicon", action="store_true")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="check: message language")
    p.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    p.add_argument(
        "--read",
        choices=["auto", "workers", "spark"],
        default="auto",
        help="who reads the input files: the Python workers (paths only through Spark), "
        "or Spark (bytes through the JVM); auto: the workers when the master is local "
        "and the input a local path",
    )
    p.add_argument("--partitions", type=int, help="repartition the input into N partitions")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line job; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        print("tifa.spark needs pyspark: pip install 'tifa[spark]'", file=sys.stderr)
        return 2

    scanner = None
    if args.lexicon or args.no_default_lexicon:
        try:
            lexicon = tifa.Lexicon.from_paths(args.lexicon, default=not args.no_default_lexicon)
        except tifa.LexiconError as e:
            print(f"tifa.spark: {e}", file=sys.stderr)
            return 2
        scanner = tifa.Scanner(lexicon)

    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # under spark-submit
    if (args.master or "local").startswith("local") and not submitted:
        # Local workers run this Python, the one tifa is installed in.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(f"tifa {args.command}")
    if args.master:
        builder = builder.master(args.master)
    parquet = args.input_format == "parquet" or (
        args.input_format == "auto" and _is_parquet(args.input)
    )
    if not parquet:
        # Whole documents per row: small batches keep a task's memory low.
        builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        # Files packed into partitions by their size, not 4 MB each: many
        # small files make few tasks (each task costs a Python round trip).
        builder = builder.config("spark.sql.files.openCostInBytes", str(256 * 1024))
        # And partitions up to 512 MB (Spark's default is 128 MB): each task
        # costs about 0.1 s of Python worker round trips, and Spark still
        # makes at least one partition per core (BENCHMARKS.md).
        builder = builder.config("spark.sql.files.maxPartitionBytes", str(512 << 20))
    spark = builder.getOrCreate()
    acc = note_accumulator(spark)
    try:
        if parquet:
            df = spark.read.parquet(args.input)
            column, name_column = args.column, args.name_column
            if column not in df.columns:
                print(f"tifa.spark: no column {column!r} in {args.input} (has {', '.join(df.columns)})",
                      file=sys.stderr)
                return 2
            keep = args.keep if args.keep is not None else [c for c in df.columns if c != column]
            by = list(args.by or [])
            if args.by_file:
                by.append(name_column or "path")
            paths = False
        else:
            workers = args.read == "workers" or (
                args.read == "auto" and _local(spark, args.input)
            )
            df = _read_files(spark, args.input, content=not workers)
            column, name_column = ("path" if workers else "content"), "path"
            paths = workers
            keep = ["path"]
            by = ["path"] if args.by_file else []
        if args.partitions:
            df = df.repartition(args.partitions)
        if args.command == "count":
            out = count_terms(df, column, by=by, scanner=scanner, name_column=name_column,
                              note_accumulator=acc, paths=paths)
            out = out.coalesce(1)
        elif args.command == "scan":
            out = scan(df, column, keep=keep, scanner=scanner, name_column=name_column,
                       note_accumulator=acc, paths=paths)
        else:
            out = check(df, column, keep=keep, scanner=scanner, name_column=name_column,
                        lang=args.lang, note_accumulator=acc, paths=paths)
        writer = out.write.mode("overwrite").format(args.format)
        if args.format == "csv":
            writer = writer.option("header", "true")
        writer.save(args.output)
        for kept, note in acc.value:
            where = kept.get("path") or kept.get(name_column or "") or kept
            print(f"tifa.spark: {where}: {note}", file=sys.stderr)
    finally:
        spark.stop()
    return 0


def _read_files(spark: "SparkSession", path: str, content: bool = True) -> "DataFrame":
    """Files as ``path, content`` rows, or only ``path`` (Spark then lists
    the files without reading them); a folder is read recursively."""
    reader = spark.read.format("binaryFile")
    if os.path.isdir(path) or not any(c in path for c in "*?["):
        reader = reader.option("recursiveFileLookup", "true")
    files = reader.load(path)
    return files.select("path", "content") if content else files.select("path")


def _local(spark: "SparkSession", path: str) -> bool:
    """Whether the workers can open the input's files as this process
    would: a local master and a local path."""
    scheme, sep, _ = path.partition(":")
    local_path = not sep or len(scheme) < 2 or scheme == "file"
    return local_path and spark.sparkContext.master.startswith("local")


if __name__ == "__main__":
    sys.exit(main())

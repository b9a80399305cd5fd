#!/usr/bin/env python3
"""tifa.spark against the CLI on the benchmark corpus (run by hand):

    python bench/spark.py [--size MB] [--rounds N] [--dir DIR]

with tifa and pyspark installed (``pip install './python[spark]'``), Java,
and a release build of the CLI (``$TIFA_BIN``, else target/release/tifa).

Writes the corpus of bench/compare.sh (``bench/corpus.py DIR SIZE``: the
samples repeated into 2,000 files in nested folders; default 50 MB under
target/bench/spark) and times, median of N rounds after a warm-up:

- ``tifa count -j1 --format json`` on the folder (one core);
- ``tifa.spark.count_terms`` of ``spark.read.format("binaryFile")`` on
  the folder, collected, in ``local[1]`` and in ``local[2]``: of the
  files' bytes read by Spark, and of their paths alone with
  ``paths=True`` (the Python workers read the files; the ready job's way
  in local mode), with the CPU seconds of all processes (the JVM and its
  Python workers: local mode uses more than one core for ``local[1]``);
- where the time goes, in ``local[1]``: the Spark read alone (the files'
  lengths summed in the JVM), the read plus the Arrow transfer to Python
  (``mapInArrow`` returning each batch's byte count), and the engine alone
  in this process on the same bytes (``tifa.arrow.count(..., threads=1)``);
- the resident memory of a Python process before and after building
  ``tifa.Scanner()`` (what each Python worker holds for the automaton).

Checks first that Spark's counts equal the CLI's.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tifa_bin() -> str:
    return os.environ.get("TIFA_BIN") or os.path.join(ROOT, "target", "release", "tifa")


def timed(fn, rounds: int):
    fn()  # warm-up: JVM classes, Python workers, the automaton
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def cpu_of_tree() -> float:
    """CPU seconds used so far by this process and its descendants alive
    (the JVM of local mode and its Python workers), from /proc."""
    parents, cpu = {}, {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(d)] = int(fields[1])
            cpu[int(d)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [os.getpid()]
    while todo:
        p = todo.pop()
        total += cpu.get(p, 0)
        todo += [c for c, pp in parents.items() if pp == p]
    return total / os.sysconf("SC_CLK_TCK")


def rss_of_scanner() -> dict:
    code = (
        "import json\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS:'): return int(line.split()[1])\n"
        "a = rss()\n"
        "import tifa\n"
        "b = rss()\n"
        "s = tifa.Scanner(); s.count('两队一室')\n"
        "c = rss()\n"
        "print(json.dumps({'bare_kb': a, 'imported_kb': b, 'scanner_kb': c}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    return json.loads(out.stdout)


def session(master: str):
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName(f"tifa bench {master}")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .config("spark.driver.memory", "2g")
        # As the job (python -m tifa.spark) sets it: files packed by size.
        .config("spark.sql.files.openCostInBytes", str(256 * 1024))
        .config("spark.sql.files.maxPartitionBytes", str(512 << 20))
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=50, help="corpus size in MB (default 50)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=os.path.join(ROOT, "target", "bench", "spark"))
    args = ap.parse_args()

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import pyarrow as pa
    import pyspark.sql.functions as F

    import tifa
    import tifa.arrow
    import tifa.spark

    os.makedirs(args.dir, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "corpus.py"), args.dir, str(args.size)], check=True)
    tree = os.path.join(args.dir, "tree")
    paths = sorted(glob.glob(os.path.join(tree, "**", "*.txt"), recursive=True))
    size = sum(os.path.getsize(p) for p in paths)
    mb = size / 1e6
    print(f"corpus: {len(paths)} files, {mb:.1f} MB in {tree}")
    results: dict = {"files": len(paths), "mb": round(mb, 1), "rounds": args.rounds}

    cli = [tifa_bin(), "--no-config", "count", "-j1", "--format", "json", tree]
    want = {e["id"]: e["count"] for e in json.loads(subprocess.run(cli, capture_output=True, check=True).stdout)["entries"]}
    t_cli, _ = timed(lambda: subprocess.run(cli, capture_output=True, check=True), args.rounds)
    results["cli_j1_s"] = t_cli
    print(f"tifa count -j1: {t_cli:.2f} s, {mb / t_cli:.1f} MB/s")

    # The engine alone on the same bytes, one thread, in this process.
    blobs = [open(p, "rb").read() for p in paths]
    arr = pa.array(blobs, type=pa.large_binary())
    names = paths
    scanner = tifa.Scanner()
    t_engine, _ = timed(lambda: tifa.arrow.count(arr, scanner, names=names, threads=1), args.rounds)
    results["engine_s"] = t_engine
    print(f"engine alone (tifa.arrow.count threads=1): {t_engine:.2f} s, {mb / t_engine:.1f} MB/s")
    del blobs, arr

    for master in ("local[1]", "local[2]"):
        spark = session(master)
        spark.sparkContext.setLogLevel("ERROR")
        files = spark.read.format("binaryFile").load(os.path.join(tree, "*", "*", "*.txt")).select("path", "content")

        listed = files.select("path")

        def count():
            return tifa.spark.count_terms(files, "content", name_column="path").collect()

        def count_paths():
            return tifa.spark.count_terms(listed, "path", paths=True).collect()

        for name, fn in (("", count), ("paths_", count_paths)):
            got = {r["id"]: r["count"] for r in fn()}
            if got != want:
                sys.exit(f"{master}: Spark's counts differ from the CLI's")
            cpu0 = cpu_of_tree()
            t, ts = timed(fn, args.rounds)
            cpu = (cpu_of_tree() - cpu0) / (args.rounds + 1)
            results[f"spark_{name}{master}_s"] = t
            results[f"spark_{name}{master}_cpu_s"] = cpu
            what = "paths=True (workers read)" if name else "binaryFile content"
            print(
                f"count_terms {master}, {what} ({files.rdd.getNumPartitions()} partitions): {t:.2f} s "
                f"({', '.join(f'{x:.2f}' for x in ts)}), {mb / t:.1f} MB/s, {cpu:.2f} CPU s "
                f"(all processes: the JVM, the Python workers)"
            )

        if master == "local[1]":
            def read():
                return files.agg(F.sum(F.length("content"))).collect()

            def transfer():
                from pyspark.sql.types import LongType, StructField, StructType

                def nbytes(batches):
                    for b in batches:
                        yield pa.RecordBatch.from_arrays([pa.array([b.nbytes], pa.int64())], ["n"])

                schema = StructType([StructField("n", LongType())])
                return files.mapInArrow(nbytes, schema).agg(F.sum("n")).collect()

            t_read, _ = timed(read, args.rounds)
            t_transfer, _ = timed(transfer, args.rounds)
            results["spark_read_s"] = t_read
            results["spark_read_transfer_s"] = t_transfer
            print(f"  Spark read alone: {t_read:.2f} s; read + Arrow to Python: {t_transfer:.2f} s")
        spark.stop()

    for name, what in (("", "binaryFile content"), ("paths_", "paths=True")):
        one, two = results[f"spark_{name}local[1]_s"], results[f"spark_{name}local[2]_s"]
        cpu = results[f"spark_{name}local[1]_cpu_s"]
        results[f"{name}scaling"] = one / two
        results[f"{name}per_core_vs_cli"] = t_cli / one
        results[f"{name}per_cpu_second_vs_cli"] = t_cli / cpu
        print(f"{what}: local[2] vs local[1]: {one / two:.2f}x (target >= 1.7)")
        print(f"{what}: local[1] throughput / tifa count -j1: {t_cli / one:.2f} (target >= 0.5); "
              f"per CPU second: {t_cli / cpu:.2f} (local[1] used {cpu / one:.2f} cores)")
    results["rss"] = rss_of_scanner()
    r = results["rss"]
    print(
        f"RSS of a Python process: {r['bare_kb'] / 1024:.0f} MB bare, {r['imported_kb'] / 1024:.0f} MB "
        f"after import tifa, {r['scanner_kb'] / 1024:.0f} MB with tifa.Scanner() built "
        f"(+{(r['scanner_kb'] - r['imported_kb']) / 1024:.0f} MB)"
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()

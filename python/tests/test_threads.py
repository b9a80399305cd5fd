"""The GIL is released while the engine works."""

import threading
import time

import tifa

BIG = ("全面推行两队一室改革，坚持专业+机制+大数据。" * 2000 + "\n") * 40


def test_other_python_threads_run_during_a_batch():
    s = tifa.Scanner()
    texts = [BIG] * 20
    done = threading.Event()
    took = []

    def work():
        t0 = time.perf_counter()
        s.count_batch(texts, threads=1)
        took.append(time.perf_counter() - t0)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    # Each wake-up from sleep needs the GIL: were it held by the engine,
    # this thread would stand still for the whole of the Rust work.
    gaps, last = [], time.perf_counter()
    while not done.is_set():
        time.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    t.join()
    assert max(gaps) < took[0] / 2, (max(gaps), took[0])


def test_two_threads_give_the_same_results():
    s = tifa.Scanner()
    texts = [BIG[: 50_000 * (i + 1)] for i in range(4)]
    results = [None, None]

    def work(i):
        results[i] = s.count_batch(texts, threads=1)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0] == results[1] == [s.count(t) for t in texts]

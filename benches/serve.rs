//! Load on `tifa serve`: LanguageTool clients' `POST /v2/check` of a report
//! of about 2 KB, from 32 connections at once (keep-alive, loopback only),
//! 10,000 requests, bounded at two minutes. Reports requests per second,
//! latency percentiles, errors, and the server's resident memory before
//! and after (a second round shows whether it grows).
//!
//! `cargo bench --bench serve` (release build of tifa);
//! `cargo bench --bench serve -- --test` runs 300 requests and only
//! asserts that none failed. `--requests N`, `--concurrency N`,
//! `--rounds N` change the load. Targets (issue 21): 0 errors, p99 under
//! 50 ms, at least 2,000 requests per second on two cores.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args(["serve", "--bind", "127.0.0.1:0", "--no-config"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tifa serve starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("piped"))
        .read_line(&mut line)
        .expect("tifa serve prints its address");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    Server { child, port }
}

/// Resident memory of `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// The report: the first lines of samples/report.txt, up to 2 KB.
fn report() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/report.txt"))
        .expect("samples/report.txt");
    let mut out = String::new();
    for line in text.lines() {
        if out.len() + line.len() + 1 > 2048 {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One request and its answer on a kept-alive connection: the status and
/// the body.
fn exchange(
    s: &mut BufReader<TcpStream>,
    request: &[u8],
    body: &mut Vec<u8>,
) -> std::io::Result<u16> {
    s.get_mut().write_all(request)?;
    let mut status = 0;
    let mut length = 0;
    let mut line = String::new();
    loop {
        line.clear();
        if s.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("closed"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if status == 0 {
            status = l
                .split(' ')
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
        } else if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    body.resize(length, 0);
    s.read_exact(body)?;
    Ok(status)
}

struct Round {
    seconds: f64,
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

fn round(port: u16, request: &[u8], total: usize, concurrency: usize) -> Round {
    let next = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let first_error = Mutex::new(None);
    let latencies = Mutex::new(Vec::with_capacity(total));
    let deadline = Instant::now() + Duration::from_secs(120);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            scope.spawn(|| {
                let mut mine = Vec::new();
                let mut body = Vec::new();
                let mut conn: Option<BufReader<TcpStream>> = None;
                while next.fetch_add(1, Ordering::Relaxed) < total && Instant::now() < deadline {
                    let t = Instant::now();
                    let c = match &mut conn {
                        Some(c) => c,
                        None => match TcpStream::connect(("127.0.0.1", port)) {
                            Ok(s) => {
                                let _ = s.set_nodelay(true);
                                conn.insert(BufReader::new(s))
                            }
                            Err(e) => {
                                errors.fetch_add(1, Ordering::Relaxed);
                                first_error.lock().unwrap().get_or_insert(e.to_string());
                                continue;
                            }
                        },
                    };
                    match exchange(c, request, &mut body) {
                        Ok(200) if body.starts_with(b"{\"software\"") => mine.push(t.elapsed()),
                        Ok(status) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            first_error.lock().unwrap().get_or_insert(format!(
                                "status {status}: {}",
                                String::from_utf8_lossy(&body)
                            ));
                        }
                        Err(e) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            first_error.lock().unwrap().get_or_insert(e.to_string());
                            conn = None;
                        }
                    }
                }
                latencies.lock().unwrap().extend(mine);
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut latencies = latencies.into_inner().unwrap();
    latencies.sort();
    Round {
        seconds,
        latencies,
        errors: errors.into_inner(),
        first_error: first_error.into_inner().unwrap(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let test = args.iter().any(|a| a == "--test");
    let total = value("--requests", if test { 300 } else { 10_000 });
    let concurrency = value("--concurrency", 32);
    let rounds = value("--rounds", if test { 1 } else { 2 });

    let server = start();
    let pid = server.child.id();
    let text = report();
    let body = format!("language=zh-CN&text={}", encode(&text));
    let request = format!(
        "POST /v2/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes();
    // Warm up: the checker's index is built on the first check.
    let warm = round(server.port, &request, 200, concurrency.min(8));
    assert_eq!(warm.errors, 0, "warm-up failed: {:?}", warm.first_error);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "tifa serve: {total} POST /v2/check of a {}-byte report ({} bytes as a form), {concurrency} connections, {cores} cores, load average before: {}",
        text.len(),
        body.len(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut failed = false;
    for n in 1..=rounds {
        let before = rss_kib(pid);
        let r = round(server.port, &request, total, concurrency);
        let after = rss_kib(pid);
        let done = r.latencies.len();
        println!(
            "round {n}: {done} ok, {} errors in {:.2} s: {:.0} req/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; server RSS {:.1} MiB before, {:.1} MiB after",
            r.errors,
            r.seconds,
            done as f64 / r.seconds,
            ms(percentile(&r.latencies, 0.50)),
            ms(percentile(&r.latencies, 0.90)),
            ms(percentile(&r.latencies, 0.99)),
            ms(r.latencies.last().copied().unwrap_or_default()),
            before as f64 / 1024.0,
            after as f64 / 1024.0,
        );
        if let Some(e) = &r.first_error {
            println!("first error: {e}");
        }
        failed |= r.errors > 0 || done < total;
    }
    if failed {
        eprintln!("serve bench: requests failed");
        std::process::exit(1);
    }
    if test {
        println!("serve bench: {total} requests, 0 errors");
    }
}

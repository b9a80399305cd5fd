//! `/metrics`: counters in Prometheus' text format (0.0.4), written by
//! hand: requests by endpoint and status, a latency histogram per
//! endpoint, refusals by reason, bytes in and out, requests in flight, and
//! the lexicon served. Endpoints are a fixed set (an unknown path counts
//! as `other`), so the number of series is bounded.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::extract::State;
use axum::response::Response;

use super::{App, answer};

/// The endpoints counted apart.
const ENDPOINTS: [&str; 12] = [
    "/",
    "/page.js",
    "/v2/check",
    "/v2/languages",
    "/api/scan",
    "/api/check",
    "/api/count",
    "/api/annotate",
    "/api/fix",
    "/api/lookup",
    "/health",
    "/metrics",
];

/// The endpoint label of a path.
pub(crate) fn endpoint(path: &str) -> &'static str {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    ENDPOINTS
        .iter()
        .find(|e| **e == path)
        .copied()
        .unwrap_or("other")
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default)]
struct Histogram {
    /// Per bucket, not cumulative; the last is +Inf.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct Data {
    requests: BTreeMap<(&'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
    rejected: BTreeMap<&'static str, u64>,
    bytes_in: BTreeMap<&'static str, u64>,
    bytes_out: BTreeMap<&'static str, u64>,
}

/// The server's counters.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    data: Mutex<Data>,
    in_flight: AtomicI64,
}

/// A request in flight; see [`Metrics::start`].
pub(crate) struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One request, answered.
pub(crate) struct Record {
    pub(crate) endpoint: &'static str,
    pub(crate) status: u16,
    pub(crate) seconds: f64,
    pub(crate) bytes_in: u64,
    pub(crate) bytes_out: u64,
    /// Why it was refused: `overload`, `too_large`, `timeout`,
    /// `unauthorized`, `bad_request`.
    pub(crate) rejected: Option<&'static str>,
}

impl Metrics {
    /// Counts a request in flight until the value returned is dropped
    /// (also when the client goes away before the answer).
    pub(crate) fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Counts an answered request.
    pub(crate) fn record(&self, r: &Record) {
        let mut d = self
            .data
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *d.requests.entry((r.endpoint, r.status)).or_default() += 1;
        let h = d.latency.entry(r.endpoint).or_default();
        let bucket = BUCKETS
            .iter()
            .position(|b| r.seconds <= *b)
            .unwrap_or(BUCKETS.len());
        h.counts[bucket] += 1;
        h.sum += r.seconds;
        h.count += 1;
        if let Some(reason) = r.rejected {
            *d.rejected.entry(reason).or_default() += 1;
        }
        *d.bytes_in.entry(r.endpoint).or_default() += r.bytes_in;
        *d.bytes_out.entry(r.endpoint).or_default() += r.bytes_out;
    }

    /// The exposition text.
    fn render(&self, fingerprint: &str, entries: usize) -> String {
        let d = self
            .data
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        out.push_str("# HELP tifa_http_requests_total Requests answered, by endpoint and status.\n# TYPE tifa_http_requests_total counter\n");
        for ((e, s), n) in &d.requests {
            let _ = writeln!(
                out,
                "tifa_http_requests_total{{endpoint=\"{e}\",status=\"{s}\"}} {n}"
            );
        }
        out.push_str("# HELP tifa_http_request_duration_seconds Time from the request's arrival to its answer.\n# TYPE tifa_http_request_duration_seconds histogram\n");
        for (e, h) in &d.latency {
            let mut cumulative = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cumulative += h.counts[i];
                let _ = writeln!(
                    out,
                    "tifa_http_request_duration_seconds_bucket{{endpoint=\"{e}\",le=\"{b}\"}} {cumulative}"
                );
            }
            cumulative += h.counts[BUCKETS.len()];
            let _ = writeln!(
                out,
                "tifa_http_request_duration_seconds_bucket{{endpoint=\"{e}\",le=\"+Inf\"}} {cumulative}"
            );
            let _ = writeln!(
                out,
                "tifa_http_request_duration_seconds_sum{{endpoint=\"{e}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "tifa_http_request_duration_seconds_count{{endpoint=\"{e}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP tifa_http_rejections_total Requests refused, by reason (overload: 503, too_large: 413, timeout: 504, unauthorized: 401, bad_request: an unreadable body).\n# TYPE tifa_http_rejections_total counter\n");
        for reason in [
            "overload",
            "too_large",
            "timeout",
            "unauthorized",
            "bad_request",
        ] {
            let n = d.rejected.get(reason).copied().unwrap_or(0);
            let _ = writeln!(out, "tifa_http_rejections_total{{reason=\"{reason}\"}} {n}");
        }
        out.push_str("# HELP tifa_http_request_bytes_total Bytes of request bodies read.\n# TYPE tifa_http_request_bytes_total counter\n");
        for (e, n) in &d.bytes_in {
            let _ = writeln!(out, "tifa_http_request_bytes_total{{endpoint=\"{e}\"}} {n}");
        }
        out.push_str("# HELP tifa_http_response_bytes_total Bytes of response bodies sent.\n# TYPE tifa_http_response_bytes_total counter\n");
        for (e, n) in &d.bytes_out {
            let _ = writeln!(
                out,
                "tifa_http_response_bytes_total{{endpoint=\"{e}\"}} {n}"
            );
        }
        drop(d);
        let _ = writeln!(
            out,
            "# HELP tifa_http_requests_in_flight Requests being answered.\n# TYPE tifa_http_requests_in_flight gauge\ntifa_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP tifa_lexicon_info The lexicon served: its fingerprint and number of entries.\n# TYPE tifa_lexicon_info gauge\ntifa_lexicon_info{{fingerprint=\"{fingerprint}\",entries=\"{entries}\",version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        out
    }
}

/// `GET /metrics`.
pub(crate) async fn show(State(app): State<App>) -> Response {
    let text = app
        .metrics
        .render(app.engine.fingerprint(), app.engine.lexicon().len());
    answer(
        "text/plain; version=0.0.4; charset=utf-8",
        text.into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_bounded() {
        assert_eq!(endpoint("/v2/check"), "/v2/check");
        assert_eq!(endpoint("/v2/check/"), "/v2/check");
        assert_eq!(endpoint("/"), "/");
        assert_eq!(endpoint("/wp-admin"), "other");
    }

    #[test]
    fn exposition() {
        let m = Metrics::default();
        let flying = m.start();
        assert!(
            m.render("abc", 3)
                .contains("tifa_http_requests_in_flight 1\n")
        );
        drop(flying);
        m.record(&Record {
            endpoint: "/v2/check",
            status: 200,
            seconds: 0.003,
            bytes_in: 10,
            bytes_out: 20,
            rejected: None,
        });
        m.record(&Record {
            endpoint: "/v2/check",
            status: 503,
            seconds: 0.0001,
            bytes_in: 0,
            bytes_out: 5,
            rejected: Some("overload"),
        });
        let text = m.render("abc", 3);
        assert!(
            text.contains("tifa_http_requests_total{endpoint=\"/v2/check\",status=\"200\"} 1\n")
        );
        assert!(
            text.contains("tifa_http_requests_total{endpoint=\"/v2/check\",status=\"503\"} 1\n")
        );
        assert!(text.contains(
            "tifa_http_request_duration_seconds_bucket{endpoint=\"/v2/check\",le=\"0.0025\"} 1\n"
        ));
        assert!(text.contains(
            "tifa_http_request_duration_seconds_bucket{endpoint=\"/v2/check\",le=\"0.005\"} 2\n"
        ));
        assert!(
            text.contains("tifa_http_request_duration_seconds_count{endpoint=\"/v2/check\"} 2\n")
        );
        assert!(text.contains("tifa_http_rejections_total{reason=\"overload\"} 1\n"));
        assert!(text.contains("tifa_http_request_bytes_total{endpoint=\"/v2/check\"} 10\n"));
        assert!(text.contains("tifa_http_response_bytes_total{endpoint=\"/v2/check\"} 25\n"));
        assert!(text.contains("tifa_http_requests_in_flight 0\n"));
    }
}

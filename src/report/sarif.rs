//! SARIF 2.1.0: one run, every rule listed in `tool.driver.rules`, columns
//! in Unicode code points (`columnKind`), a `fixes` entry for each finding
//! `--fix` would apply. Validated against the official schema in the tests.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use super::json::ArrayWriter;
use crate::check::{Lang, Located, Rule, Severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative path or an absolute `file://` URI, percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Writes the SARIF log for all files.
pub fn log(
    out: &mut dyn Write,
    files: &[(String, Vec<Located>)],
    severities: impl Fn(Rule) -> Option<Severity>,
    lang: Lang,
) -> io::Result<()> {
    let mut w = writer(severities, lang);
    for (path, items) in files {
        for i in items {
            w.result(out, path, i)?;
        }
    }
    w.end(out)
}

/// [`log`] written one result at a time, as they come.
pub fn writer(severities: impl Fn(Rule) -> Option<Severity>, lang: Lang) -> LogWriter {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            let mut rule = json!({
                "id": r.id(),
                "shortDescription": { "text": r.description(lang) },
            });
            match severities(*r) {
                Some(s) => rule["defaultConfiguration"] = json!({ "level": level(s) }),
                None => rule["defaultConfiguration"] = json!({ "enabled": false }),
            }
            rule
        })
        .collect();
    // The results are made one at a time as they are written, not as one
    // tree of all of them (several kB each). Fields in the order the
    // `json!` maps sort them in.
    #[derive(Serialize)]
    struct Log {
        #[serde(rename = "$schema")]
        schema: &'static str,
        runs: [Run; 1],
        version: &'static str,
    }
    #[derive(Serialize)]
    struct Run {
        #[serde(rename = "columnKind")]
        column_kind: &'static str,
        results: [Value; 0],
        tool: Value,
    }
    let doc = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results: [],
            tool: json!({ "driver": {
                "name": "tifa",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }}),
        }],
        version: "2.1.0",
    };
    LogWriter(ArrayWriter::new(&doc, "\"results\": []"))
}

/// Writes the SARIF log one result at a time.
#[derive(Debug)]
pub struct LogWriter(ArrayWriter);

impl LogWriter {
    /// Writes the result of one finding of `path`.
    ///
    /// # Errors
    ///
    /// When writing fails.
    pub fn result(&mut self, out: &mut dyn Write, path: &str, i: &Located) -> io::Result<()> {
        self.0.element(out, &result(path, i))
    }

    /// Ends the log.
    ///
    /// # Errors
    ///
    /// When writing fails.
    pub fn end(self, out: &mut dyn Write) -> io::Result<()> {
        self.0.end(out)
    }
}

fn with_snippet(region: &Value, text: &str) -> Value {
    let mut r = region.clone();
    r["snippet"] = json!({ "text": text });
    r
}

fn result(path: &str, i: &Located) -> Value {
    let f = &i.finding;
    let region = json!({
        "startLine": i.span.start.line,
        "startColumn": i.span.start.column,
        "endLine": i.span.end.line,
        "endColumn": i.span.end.column,
    });
    let location = json!({ "uri": uri(path) });
    let index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
    let mut result = json!({
        "ruleId": f.rule.id(),
        "ruleIndex": index,
        "level": level(f.severity),
        "message": { "text": i.message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": location,
            "region": with_snippet(&region, &i.matched),
        }}],
    });
    if let Some(id) = &i.id {
        result["properties"] = json!({ "entry": id });
    }
    if i.span.page > 0 {
        // A PDF: lines count within the page.
        result["properties"]["page"] = json!(i.span.page);
        result["properties"]["endPage"] = json!(i.span.end_page);
    }
    if let (true, Some(s)) = (f.fixable, &f.suggestion) {
        result["fixes"] = json!([{
            "description": { "text": format!("→ {s}") },
            "artifactChanges": [{
                "artifactLocation": location,
                "replacements": [{
                    "deletedRegion": region,
                    "insertedContent": { "text": s },
                }],
            }],
        }]);
    }
    result
}

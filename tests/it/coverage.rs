//! lexicon/COVERAGE.md still tells the truth about the lexicon.
//!
//! `scripts/coverage.py` writes that file from the seed article; these tests
//! check it without the article (a fresh clone has none): every id it names
//! exists, every row marked `exact` is one whole outermost span of its entry,
//! every row marked `partly` finds the entries it names, and every left-out
//! text has a reason kept in scripts/coverage-exclusions.toml.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use tifa::lexicon::Lexicon;
use tifa::scan::{Scanner, accepted, outermost, per_entry};

const COVERAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lexicon/COVERAGE.md");
const EXCLUSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scripts/coverage-exclusions.toml"
);
const HEADER: &str = "| quoted formulation | entry id(s) | status |";

/// The status column of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    /// `exact`: the text is the term or a variant of the one entry named.
    Exact,
    /// `partly`, optionally `; whole left out: REASON`.
    Partly(Option<String>),
    /// `left out: REASON`.
    LeftOut(String),
}

/// One row of the table.
#[derive(Debug, Clone)]
struct Row {
    /// Line number in COVERAGE.md, for messages.
    line: usize,
    text: String,
    ids: Vec<String>,
    status: Status,
}

impl Row {
    /// A whole sentence, shown as its first characters and “…”.
    fn shortened(&self) -> bool {
        self.text.ends_with('…')
    }

    fn reason(&self) -> Option<&str> {
        match &self.status {
            Status::Exact => None,
            Status::Partly(r) => r.as_deref(),
            Status::LeftOut(r) => Some(r),
        }
    }
}

/// The embedded lexicon and its scanner, built once.
fn fixture() -> &'static (Lexicon, Scanner) {
    static FIXTURE: OnceLock<(Lexicon, Scanner)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let lexicon = Lexicon::embedded().expect("embedded lexicon loads");
        // Coverage is what the lexicon knows, `general` entries too.
        let lexicon = lexicon.with_all_terms();
        let scanner = Scanner::new(&lexicon).expect("scanner builds");
        (lexicon, scanner)
    })
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Splits a Markdown table row into trimmed cells; `\|` is a literal bar.
fn cells(line: &str) -> Vec<String> {
    let inner = line
        .trim()
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .unwrap_or_else(|| panic!("not a table row: {line}"));
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_owned()).collect()
}

fn parse_status(cell: &str, line: usize) -> Status {
    if cell == "exact" {
        Status::Exact
    } else if cell == "partly" {
        Status::Partly(None)
    } else if let Some(reason) = cell.strip_prefix("partly; whole left out:") {
        Status::Partly(Some(reason.trim().to_owned()))
    } else if let Some(reason) = cell.strip_prefix("left out:") {
        Status::LeftOut(reason.trim().to_owned())
    } else {
        panic!("COVERAGE.md:{line}: unknown status `{cell}`")
    }
}

/// The rows of COVERAGE.md's table.
fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let text = read(COVERAGE);
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        lines
            .by_ref()
            .find(|(_, l)| l.trim() == HEADER)
            .unwrap_or_else(|| panic!("COVERAGE.md has no table headed `{HEADER}`"));
        let (_, sep) = lines.next().expect("a separator row after the header");
        assert!(sep.starts_with("| ---"), "not a separator row: {sep}");
        lines
            .take_while(|(_, l)| l.trim_start().starts_with('|'))
            .map(|(line, l)| {
                let c = cells(l);
                assert_eq!(c.len(), 3, "COVERAGE.md:{line}: expected 3 cells: {l}");
                let ids = if c[1] == "—" {
                    Vec::new()
                } else {
                    c[1].split(',').map(|s| s.trim().to_owned()).collect()
                };
                Row {
                    line,
                    text: c[0].clone(),
                    ids,
                    status: parse_status(&c[2], line),
                }
            })
            .collect()
    })
}

/// The `N` of a `- LABEL: N` line in the counts.
fn count(label: &str) -> usize {
    let text = read(COVERAGE);
    let prefix = format!("- {label}: ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("COVERAGE.md has no `{prefix}N` line"))
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("COVERAGE.md: count `{label}`: {e}"))
}

/// The `[[excluded]]` tables of the exclusions file, text → reason.
fn exclusions() -> &'static HashMap<String, String> {
    static EXCLUDED: OnceLock<HashMap<String, String>> = OnceLock::new();
    EXCLUDED.get_or_init(|| {
        let text = read(EXCLUSIONS);
        let table: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("coverage-exclusions.toml: {e}"));
        let list = table
            .get("excluded")
            .and_then(toml::Value::as_array)
            .expect("coverage-exclusions.toml has [[excluded]] tables");
        let mut out = HashMap::new();
        for item in list {
            let field = |k: &str| {
                item.get(k)
                    .and_then(toml::Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| panic!("an [[excluded]] has no {k}: {item:?}"))
                    .to_owned()
            };
            let text = field("text");
            assert!(
                out.insert(text.clone(), field("reason")).is_none(),
                "`{text}` is excluded twice"
            );
        }
        out
    })
}

/// The ids named as `(see id)` in a reason.
fn see_ids(reason: &str) -> Vec<&str> {
    reason
        .match_indices("(see ")
        .filter_map(|(at, m)| {
            let rest = &reason[at + m.len()..];
            rest.find(')').map(|end| &rest[..end])
        })
        .collect()
}

/// The entry whose accepted form spans all of `text` as one outermost span,
/// scanned as the article has it: inside quotation marks (which entries
/// with `context = "quoted"` need).
fn whole_span_entry(text: &str) -> Option<&'static str> {
    let (lexicon, scanner) = fixture();
    let quoted = format!("“{text}”");
    let open = '“'.len_utf8();
    let hits = scanner.hits(&quoted);
    match outermost(&hits, accepted).as_slice() {
        [h] if h.start == open && h.end == open + text.len() => {
            Some(lexicon.entry(h.entry).id.as_str())
        }
        _ => None,
    }
}

#[test]
fn table_matches_its_counts() {
    let rows = rows();
    assert!(!rows.is_empty(), "COVERAGE.md has an empty table");
    let exact = rows.iter().filter(|r| r.status == Status::Exact).count();
    let partly = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Partly(_)))
        .count();
    let left = rows
        .iter()
        .filter(|r| matches!(r.status, Status::LeftOut(_)))
        .count();
    for (label, rows_say) in [
        ("quoted formulations", rows.len()),
        ("covered exactly", exact),
        ("covered partly", partly),
        ("left out", left),
    ] {
        assert_eq!(
            count(label),
            rows_say,
            "COVERAGE.md: the count `{label}` differs from the table's rows"
        );
    }
    let mut seen = HashSet::new();
    for r in rows {
        assert!(
            !r.text.is_empty(),
            "COVERAGE.md:{}: empty formulation",
            r.line
        );
        assert!(
            seen.insert(r.text.as_str()),
            "COVERAGE.md:{}: `{}` is listed twice",
            r.line,
            r.text
        );
    }
}

#[test]
fn every_id_named_exists() {
    let (lexicon, _) = fixture();
    let mut problems = Vec::new();
    for r in rows() {
        let named = r.ids.iter().map(String::as_str);
        for id in named.chain(r.reason().map(see_ids).unwrap_or_default()) {
            if lexicon.get(id).is_none() {
                problems.push(format!("COVERAGE.md:{}: no entry `{id}`", r.line));
            }
        }
    }
    for reason in exclusions().values() {
        for id in see_ids(reason) {
            if lexicon.get(id).is_none() {
                problems.push(format!("coverage-exclusions.toml: no entry `{id}`"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn exact_rows_are_whole_outermost_spans() {
    let mut problems = Vec::new();
    for r in rows().iter().filter(|r| r.status == Status::Exact) {
        let [id] = r.ids.as_slice() else {
            problems.push(format!("COVERAGE.md:{}: an exact row names one id", r.line));
            continue;
        };
        if r.shortened() {
            problems.push(format!("COVERAGE.md:{}: an exact row is shortened", r.line));
            continue;
        }
        match whole_span_entry(&r.text) {
            Some(found) if found == id => {}
            found => problems.push(format!(
                "COVERAGE.md:{}: `{}` is not one whole span of `{id}` (found {found:?})",
                r.line, r.text
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn partly_rows_contain_their_entries() {
    let (lexicon, scanner) = fixture();
    let mut problems = Vec::new();
    for r in rows() {
        if !matches!(r.status, Status::Partly(_)) {
            continue;
        }
        if r.ids.is_empty() {
            problems.push(format!("COVERAGE.md:{}: a partly row names no id", r.line));
        }
        if r.shortened() {
            // Only the beginning is shown: the ids can't be checked here.
            continue;
        }
        let hits = scanner.hits(&format!("“{}”", r.text));
        let found: HashSet<&str> = per_entry(&hits)
            .iter()
            .map(|o| lexicon.entry(o.hit.entry).id.as_str())
            .collect();
        for id in &r.ids {
            if !found.contains(id.as_str()) {
                problems.push(format!(
                    "COVERAGE.md:{}: `{id}` is not found in `{}`",
                    r.line, r.text
                ));
            }
        }
        if let Some(id) = whole_span_entry(&r.text) {
            problems.push(format!(
                "COVERAGE.md:{}: `{}` is now exactly `{id}`; regenerate COVERAGE.md",
                r.line, r.text
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn left_out_rows_have_a_kept_reason() {
    let excluded = exclusions();
    let mut problems = Vec::new();
    for r in rows() {
        let Some(reason) = r.reason() else { continue };
        if reason.is_empty() || reason == "?" {
            problems.push(format!(
                "COVERAGE.md:{}: `{}` has no reason; add an entry or an [[excluded]]",
                r.line, r.text
            ));
            continue;
        }
        match excluded.get(&r.text) {
            Some(kept) if kept == reason => {}
            Some(kept) => problems.push(format!(
                "COVERAGE.md:{}: `{}`: reason `{reason}` differs from the kept `{kept}`",
                r.line, r.text
            )),
            None => problems.push(format!(
                "COVERAGE.md:{}: `{}` is not in coverage-exclusions.toml",
                r.line, r.text
            )),
        }
        if matches!(r.status, Status::LeftOut(_)) && !r.ids.is_empty() {
            problems.push(format!("COVERAGE.md:{}: a left-out row names ids", r.line));
        }
        if !r.shortened()
            && let Some(id) = whole_span_entry(&r.text)
        {
            problems.push(format!(
                "COVERAGE.md:{}: `{}` is left out but is exactly `{id}`; regenerate COVERAGE.md",
                r.line, r.text
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_exclusion_is_used() {
    let listed: HashSet<&str> = rows()
        .iter()
        .filter(|r| r.reason().is_some())
        .map(|r| r.text.as_str())
        .collect();
    let unused: Vec<&String> = exclusions()
        .keys()
        .filter(|t| !listed.contains(t.as_str()))
        .collect();
    assert!(
        unused.is_empty(),
        "coverage-exclusions.toml names texts COVERAGE.md does not leave out: {unused:?}"
    );
}

#[test]
fn no_sentence_is_copied() {
    for r in rows() {
        let n = r.text.chars().count();
        let sentence = r.text.contains(['，', ',', '。']) && n > 24;
        assert!(
            !sentence || r.status == Status::Exact,
            "COVERAGE.md:{}: a whole sentence must be shortened: {}",
            r.line,
            r.text
        );
    }
}

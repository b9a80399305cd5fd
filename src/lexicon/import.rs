//! A spreadsheet of terms (CSV) turned into lexicon TOML: `tifa lexicon
//! import terms.csv`.
//!
//! Columns are found by their header name ([`COLUMNS`], any order, case and
//! surrounding spaces ignored); `term`, `category` and `definition` are
//! required. List columns hold one value per line, or several values
//! separated by `;` or `；` on one line (`examples` and `counterexamples`:
//! always one per line, since sentences hold `；`). A `wrong` or `outdated` value may end with its note in full-width
//! parentheses: `两队一所（改字）`. A missing id is made from the term's
//! pinyin ([`crate::pinyin::id`]). A cell that a spreadsheet export
//! neutralised with a leading `'` (`'+1`) is read without it, so
//! `lexicon export --format csv` output imports back unchanged.
//!
//! The bytes may be UTF-8 (with or without BOM, as Excel writes it),
//! UTF-16 with BOM or GB18030/GBK. Every bad row is reported, by its
//! spreadsheet row number (the header is row 1); the caller then validates
//! the TOML as a lexicon and maps its diagnostics back to rows with
//! [`Imported::row_at_line`]. This module never prints.

use std::collections::HashMap;

use serde::Serialize;

use crate::pinyin;
use crate::text::{Decoded, decode};

/// The columns a spreadsheet may have, in the order `lexicon export
/// --format csv` writes them.
pub const COLUMNS: [&str; 20] = [
    "id",
    "term",
    "category",
    "definition",
    "variants",
    "components",
    "en",
    "sources",
    "related",
    "wrong",
    "outdated",
    "superseded_by",
    "examples",
    "counterexamples",
    "scope",
    "context",
    "followed_by",
    "notes",
    "en_note",
    "not_wrong",
];

/// Columns every spreadsheet needs.
const REQUIRED: [&str; 3] = ["term", "category", "definition"];

/// A problem with one row (row 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The spreadsheet row, from 1.
    pub row: usize,
    /// What is wrong.
    pub message: String,
}

/// The TOML made from a spreadsheet, and where each row's entry is in it.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The lexicon file.
    pub toml: String,
    /// `(row, first line, last line)` of each entry in `toml` (1-based).
    rows: Vec<(usize, usize, usize)>,
}

impl Imported {
    /// The spreadsheet row whose entry holds `line` of the TOML.
    pub fn row_at_line(&self, line: usize) -> Option<usize> {
        self.rows
            .iter()
            .find(|(_, first, last)| (*first..=*last).contains(&line))
            .map(|(row, _, _)| *row)
    }
}

#[derive(Serialize)]
struct File<'a> {
    entry: [&'a OutEntry; 1],
}

#[derive(Serialize, Default)]
struct OutEntry {
    id: String,
    term: String,
    category: String,
    definition: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    variants: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    en: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    examples: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    counterexamples: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    superseded_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    followed_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    en_note: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    not_wrong: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wrong: Vec<OutForm>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    outdated: Vec<OutForm>,
}

#[derive(Serialize)]
struct OutForm {
    form: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// Turns the bytes of a CSV file into lexicon TOML; `source` names the file
/// in the TOML's first comment.
///
/// # Errors
///
/// Every bad row: an unknown or missing column, a row with more cells than
/// the header, an empty required cell, a bad or repeated id, bytes in no
/// supported encoding, a CSV syntax error.
pub fn from_csv(bytes: Vec<u8>, source: &str) -> Result<Imported, Vec<RowError>> {
    let text = match decode(&bytes) {
        Decoded::Text(text, _) => text,
        // A lexicon is data: a replaced character would be a wrong form.
        Decoded::Replaced(_, encoding) => {
            return Err(vec![RowError {
                row: 1,
                message: format!("not valid {encoding}: some bytes are not characters in it"),
            }]);
        }
        Decoded::Binary | Decoded::Undecodable => {
            return Err(vec![RowError {
                row: 1,
                message: "not a text file in UTF-8, UTF-16 or GB18030".into(),
            }]);
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(vec![csv_error(1, &e)]),
        None => {
            return Err(vec![RowError {
                row: 1,
                message: "the file is empty; the first row names the columns".into(),
            }]);
        }
    };
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    for name in &header {
        let name = name.trim().trim_start_matches('\u{FEFF}').to_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if columns.contains(&Some(*c)) => errors.push(RowError {
                row: 1,
                message: format!("column `{c}` appears twice"),
            }),
            Some(c) => columns.push(Some(*c)),
            None if name.is_empty() => columns.push(None),
            None => {
                errors.push(RowError {
                    row: 1,
                    message: format!(
                        "unknown column `{name}`; the columns are {}",
                        COLUMNS.join(", ")
                    ),
                });
                columns.push(None);
            }
        }
    }
    for required in REQUIRED {
        if !columns.contains(&Some(required)) {
            errors.push(RowError {
                row: 1,
                message: format!("missing column `{required}`"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut entries: Vec<(usize, OutEntry)> = Vec::new();
    for (i, record) in records.enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(row, &e));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > columns.len() {
            errors.push(RowError {
                row,
                message: format!(
                    "{} cells, but the header names {} columns",
                    record.len(),
                    columns.len()
                ),
            });
            continue;
        }
        let mut cells: HashMap<&str, String> = HashMap::new();
        for (column, cell) in columns.iter().zip(record.iter()) {
            if let Some(c) = column {
                // Trailing line breaks stay: they mark one-per-line lists.
                cells.insert(c, unneutralise(cell.trim_start()).to_owned());
            }
        }
        match entry(&cells) {
            Ok(e) => entries.push((row, e)),
            Err(messages) => errors.extend(
                messages
                    .into_iter()
                    .map(|message| RowError { row, message }),
            ),
        }
    }
    assign_ids(&mut entries, &mut errors);
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(errors);
    }
    Ok(write(source, &entries))
}

fn csv_error(row: usize, e: &csv::Error) -> RowError {
    RowError {
        row,
        message: format!("not valid CSV: {e}"),
    }
}

/// Undoes the `'` a CSV export puts before a cell a spreadsheet would read
/// as a formula (see `report::csv::field`).
fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// A list cell: one value per line, or, in a cell of one line, values
/// separated by `;` or `；`.
fn list(cell: Option<&String>) -> Vec<String> {
    cell.map(|c| {
        let separators: &[char] = if c.contains('\n') {
            &['\n', '\r']
        } else {
            &[';', '；']
        };
        c.split(separators)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// A cell of sentences: one per line.
fn lines(cell: Option<&String>) -> Vec<String> {
    cell.map(|c| {
        c.lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// `两队一所（改字：“室”误作“所”）` → the form and its note.
fn form_note(item: &str) -> OutForm {
    if item.ends_with('）') {
        let mut depth = 0;
        for (at, c) in item.char_indices().rev() {
            match c {
                '）' => depth += 1,
                '（' => {
                    depth -= 1;
                    if depth == 0 {
                        let form = item[..at].trim();
                        let note = item[at + '（'.len_utf8()..item.len() - '）'.len_utf8()].trim();
                        if !form.is_empty() {
                            return OutForm {
                                form: form.to_owned(),
                                note: (!note.is_empty()).then(|| note.to_owned()),
                            };
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    OutForm {
        form: item.to_owned(),
        note: None,
    }
}

/// One row's entry, or what is wrong with it.
fn entry(cells: &HashMap<&str, String>) -> Result<OutEntry, Vec<String>> {
    let get = |k: &str| cells.get(k).map_or("", |c| c.trim());
    let mut problems = Vec::new();
    for required in REQUIRED {
        if get(required).is_empty() {
            problems.push(format!("empty {required}"));
        }
    }
    let id = get("id");
    if !id.is_empty() && !is_valid_id(id) {
        problems.push(format!(
            "invalid id `{id}`: use ASCII letters, digits, '-', '_' and '.', starting with a letter or digit"
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let optional = |k: &str| Some(get(k)).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(OutEntry {
        id: id.to_owned(),
        term: get("term").to_owned(),
        category: get("category").to_owned(),
        definition: get("definition").to_owned(),
        components: list(cells.get("components")),
        variants: list(cells.get("variants")),
        en: optional("en"),
        sources: list(cells.get("sources")),
        related: list(cells.get("related")),
        examples: lines(cells.get("examples")),
        counterexamples: lines(cells.get("counterexamples")),
        superseded_by: optional("superseded_by"),
        scope: optional("scope"),
        context: optional("context"),
        followed_by: list(cells.get("followed_by")),
        notes: optional("notes"),
        en_note: optional("en_note"),
        not_wrong: list(cells.get("not_wrong")),
        wrong: list(cells.get("wrong"))
            .iter()
            .map(|w| form_note(w))
            .collect(),
        outdated: list(cells.get("outdated"))
            .iter()
            .map(|w| form_note(w))
            .collect(),
    })
}

/// The same rule as the lexicon loader's.
fn is_valid_id(id: &str) -> bool {
    id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Reports repeated ids, then gives every entry without an id one made from
/// its pinyin, numbered (`-2`, `-3` …) when taken.
fn assign_ids(entries: &mut [(usize, OutEntry)], errors: &mut Vec<RowError>) {
    let mut taken: HashMap<String, usize> = HashMap::new();
    for (row, e) in entries.iter() {
        if e.id.is_empty() {
            continue;
        }
        if let Some(first) = taken.get(&e.id) {
            errors.push(RowError {
                row: *row,
                message: format!("duplicate id `{}`, first on row {first}", e.id),
            });
        } else {
            taken.insert(e.id.clone(), *row);
        }
    }
    for (row, e) in entries.iter_mut() {
        if !e.id.is_empty() {
            continue;
        }
        let base = pinyin::id(&e.term);
        if base.is_empty() {
            errors.push(RowError {
                row: *row,
                message: format!(
                    "cannot make an id from the term `{}`; give it one in the `id` column",
                    e.term
                ),
            });
            continue;
        }
        let mut id = base.clone();
        let mut n = 2;
        while taken.contains_key(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(id.clone(), *row);
        e.id = id;
    }
}

fn write(source: &str, entries: &[(usize, OutEntry)]) -> Imported {
    let mut toml = format!(
        "# Made by `tifa lexicon import` from {}.\n",
        source.replace(['\n', '\r'], " ")
    );
    let mut rows = Vec::new();
    for (row, e) in entries {
        toml.push('\n');
        let first = toml.lines().count() + 1;
        // Serializing a plain struct of strings cannot fail.
        let text = toml::to_string(&File { entry: [e] }).unwrap_or_default();
        toml.push_str(&text);
        if !toml.ends_with('\n') {
            toml.push('\n');
        }
        rows.push((*row, first, toml.lines().count()));
    }
    Imported { toml, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(csv: &str) -> Result<String, Vec<(usize, String)>> {
        from_csv(csv.as_bytes().to_vec(), "t.csv")
            .map(|i| i.toml)
            .map_err(|v| v.into_iter().map(|e| (e.row, e.message)).collect())
    }

    #[test]
    fn notes_in_parentheses() {
        let f = form_note("两队一所（改字：“室”误作“所”）");
        assert_eq!(f.form, "两队一所");
        assert_eq!(f.note.as_deref(), Some("改字：“室”误作“所”"));
        let f = form_note("公安提（警）示函（旧称（2019））");
        assert_eq!(f.form, "公安提（警）示函");
        assert_eq!(f.note.as_deref(), Some("旧称（2019）"));
        let f = form_note("（仅注释）");
        assert_eq!(f.form, "（仅注释）");
        assert_eq!(form_note("公安提(警)示函").form, "公安提(警)示函");
    }

    #[test]
    fn header_problems() {
        let err = import("term,category,colour\n两队一室,警务模式,红\n").unwrap_err();
        assert_eq!(err.len(), 2);
        assert_eq!(err[0].0, 1);
        assert!(err[0].1.starts_with("unknown column `colour`"), "{err:?}");
        assert_eq!(err[1], (1, "missing column `definition`".into()));
    }

    #[test]
    fn rows_are_numbered_as_in_a_spreadsheet() {
        let csv = "term,category,definition\n\"两队\n一室\",警务模式,释义\n,警务模式,释义\n";
        assert_eq!(import(csv).unwrap_err(), [(3, "empty term".to_owned())]);
    }

    #[test]
    fn ids_from_pinyin_are_unique() {
        let csv = "id,term,category,definition\n,两队一室,a,b\nliangduiyishi,两队 一室,a,b\n";
        let toml = import(csv).unwrap();
        assert!(toml.contains("id = \"liangduiyishi-2\""), "{toml}");
    }
}

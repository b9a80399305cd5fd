//! CSV output (RFC 4180): a header row, fields quoted when they hold a
//! comma, a quote or a line break, and cells that a spreadsheet would run as
//! a formula (`= + - @` first) prefixed with `'`.

use std::io::{self, Write};

use crate::count::Tally;
use crate::lexicon::import::COLUMNS;
use crate::lexicon::{Context, FormNote, Lexicon, context_name};

/// One CSV field.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn row(out: &mut dyn Write, fields: &[&str]) -> io::Result<()> {
    let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

/// `id,term,count,nested`, or with a leading `path` column per file;
/// UTF-8 with a BOM, so that Excel reads it as UTF-8 (as `lexicon export`).
pub fn count(
    out: &mut dyn Write,
    lexicon: &Lexicon,
    total: &Tally,
    by_file: Option<&[(String, Tally)]>,
) -> io::Result<()> {
    out.write_all("\u{FEFF}".as_bytes())?;
    let write_rows = |out: &mut dyn Write, path: Option<&str>, t: &Tally| -> io::Result<()> {
        for c in t.ranked() {
            let e = lexicon.entry(c.entry);
            let (count, nested) = (c.count.to_string(), c.nested.to_string());
            let mut fields = Vec::with_capacity(5);
            fields.extend(path);
            fields.extend([e.id.as_str(), e.term.as_str(), &count, &nested]);
            row(out, &fields)?;
        }
        Ok(())
    };
    match by_file {
        None => {
            row(out, &["id", "term", "count", "nested"])?;
            write_rows(out, None, total)
        }
        Some(files) => {
            row(out, &["path", "id", "term", "count", "nested"])?;
            files
                .iter()
                .try_for_each(|(path, t)| write_rows(out, Some(path), t))
        }
    }
}

/// A list cell: values joined by `；`, or one per line when a value holds
/// a `;` or `；` itself (as `lexicon import` reads them).
fn list<S: AsRef<str>>(values: &[S]) -> String {
    let values: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
    if values.iter().any(|v| v.contains([';', '；'])) {
        // A line break, even after a single value, says "one per line".
        let mut cell = values.join("\n");
        cell.push('\n');
        cell
    } else {
        values.join("；")
    }
}

/// The whole lexicon, one row per entry, with the columns that `lexicon
/// import` reads ([`COLUMNS`]): lists joined by `；` (or one per line),
/// wrong and outdated forms written `form（note）`, examples one per line.
/// UTF-8 with a BOM, so that Excel reads it as UTF-8.
pub fn export(out: &mut dyn Write, lexicon: &Lexicon) -> io::Result<()> {
    out.write_all("\u{FEFF}".as_bytes())?;
    row(out, &COLUMNS)?;
    let forms = |v: &[FormNote]| {
        let forms: Vec<String> = v
            .iter()
            .map(|f| match &f.note {
                Some(n) => format!("{}（{n}）", f.form),
                None => f.form.clone(),
            })
            .collect();
        list(&forms)
    };
    for e in lexicon.entries() {
        let examples = |v: &[crate::lexicon::Example]| {
            v.iter()
                .map(|x| x.text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let cells: [String; COLUMNS.len()] = [
            e.id.clone(),
            e.term.clone(),
            e.category.clone(),
            e.definition.clone(),
            list(&e.variants),
            list(&e.components),
            e.en.clone().unwrap_or_default(),
            list(&e.sources),
            list(&e.related),
            forms(&e.wrong),
            forms(&e.outdated),
            e.superseded_by.clone().unwrap_or_default(),
            examples(&e.examples),
            examples(&e.counterexamples),
            e.scope.as_str().to_owned(),
            context_name(&e.context).unwrap_or_default().to_owned(),
            match &e.context {
                Context::FollowedBy(after) => list(after),
                _ => String::new(),
            },
            e.notes.clone().unwrap_or_default(),
            e.en_note.clone().unwrap_or_default(),
            list(&e.not_wrong),
        ];
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        row(out, &cells)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quoting() {
        assert_eq!(field("两队一室"), "两队一室");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("-x,y"), "\"'-x,y\"");
    }
}

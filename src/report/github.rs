//! GitHub Actions workflow commands: one `::error` / `::warning` /
//! `::notice` line per finding, which the Actions runner turns into
//! annotations on the pull request.

use std::io::{self, Write};

use crate::check::{Located, Severity};
use crate::text::Unit;

/// Escapes a message (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`;
/// for a Word document (positions in paragraphs), `::warning file=…,title=…::¶N:C: message`;
/// for a PDF, `::warning file=…,title=…::pP:N:C: message` (page, line of
/// the page, column).
pub fn finding(out: &mut dyn Write, path: &str, item: &Located) -> io::Result<()> {
    let command = match item.finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    if item.unit == Unit::Paragraph {
        // A Word document has no lines for the runner to point at: a
        // file-level annotation, the paragraph and character in the text.
        return writeln!(
            out,
            "::{command} file={},title={}::¶{}:{}: {}",
            property(path),
            property(&format!("tifa {}", item.finding.rule.id())),
            item.span.start.line,
            item.span.start.column,
            data(&item.message),
        );
    }
    if item.unit == Unit::PageLine {
        // Nor has a PDF lines the runner knows.
        return writeln!(
            out,
            "::{command} file={},title={}::p{}:{}:{}: {}",
            property(path),
            property(&format!("tifa {}", item.finding.rule.id())),
            item.span.page,
            item.span.start.line,
            item.span.start.column,
            data(&item.message),
        );
    }
    writeln!(
        out,
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        property(path),
        item.span.start.line,
        item.span.start.column,
        item.span.end.line,
        item.span.end.column,
        property(&format!("tifa {}", item.finding.rule.id())),
        data(&item.message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}

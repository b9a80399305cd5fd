//! Code in Markdown: code spans (`` `…` ``), fenced and indented code
//! blocks hold commands, identifiers and quoted text, not prose, so `check`
//! does not look inside them. pulldown-cmark (CommonMark) says where they
//! are, with byte offsets of the source.

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// True for the file names read as Markdown.
pub fn is_markdown(path: &str) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown" | "mdown"))
}

/// The byte ranges of `text`'s code spans and code blocks, in order.
pub fn code_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut block: Option<usize> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Code(_) => out.push(range),
            Event::Start(Tag::CodeBlock(_)) => block = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(start) = block.take() {
                    out.push(start..range.end);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_blocks() {
        let text = "推行两队一所，`两队一所` 在代码里。\n\n```\n两队一所\n```\n\n    两队一所\n\n正文两队一所。\n";
        let ranges = code_ranges(text);
        let inside: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(inside.len(), 3, "{inside:?}");
        assert_eq!(inside[0], "`两队一所`");
        assert!(inside[1].starts_with("```") && inside[1].contains("两队一所"));
        assert!(inside[2].contains("两队一所"));
        let last = text.rfind("两队一所").unwrap();
        assert!(ranges.iter().all(|r| !r.contains(&last)));
    }

    #[test]
    fn markdown_names() {
        assert!(is_markdown("a/README.md"));
        assert!(is_markdown("x.Markdown"));
        assert!(!is_markdown("x.txt"));
        assert!(!is_markdown("<stdin>"));
    }
}

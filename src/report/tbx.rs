//! TBX (ISO 30042:2019, TBX v3), TBX-Basic dialect in DCA style: the
//! lexicon as a termbase for translators' CAT tools.
//!
//! One `conceptEntry` per entry, with the category as `subjectField` and
//! the related entries as `crossReference`s. A `langSec` for `zh` holds the
//! definition (with its sources), the parts as a note, and a `termSec` per
//! form: the term (`preferredTerm-admn-sts`), variants
//! (`admittedTerm-admn-sts`), wrong forms (`deprecatedTerm-admn-sts`) and
//! outdated forms (`supersededTerm-admn-sts`), notes kept. A `langSec` for
//! `en` holds the English rendering as the preferred term.
//!
//! Everything is written through quick-xml, which escapes text and
//! attribute values; characters XML 1.0 forbids are dropped.

use std::borrow::Cow;
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::lexicon::{Entry, Lexicon};

/// The TBX namespace.
const NAMESPACE: &str = "urn:iso:std:iso:30042:ed-2";

/// Removes characters that XML 1.0 does not allow.
fn clean(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{D7FF}').contains(&c)
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}'
    };
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| allowed(c)).collect())
    }
}

/// An entry id as an XML ID (an NCName): ids that start with a digit get
/// a `c-` prefix.
pub fn concept_id(id: &str) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    if id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        id
    } else {
        format!("c-{id}")
    }
}

/// Writes the whole lexicon as a TBX-Basic document.
pub fn export(out: &mut dyn Write, lexicon: &Lexicon) -> io::Result<()> {
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("tbx")
        .with_attributes([
            ("type", "TBX-Basic"),
            ("style", "dca"),
            ("xml:lang", "zh"),
            ("xmlns", NAMESPACE),
        ])
        .write_inner_content(|w| {
            w.create_element("tbxHeader").write_inner_content(|w| {
                w.create_element("fileDesc").write_inner_content(|w| {
                    w.create_element("titleStmt").write_inner_content(|w| {
                        text(w, "title", "tifa 提法词表")?;
                        Ok(())
                    })?;
                    w.create_element("sourceDesc").write_inner_content(|w| {
                        text(w, "p", &format!("tifa lexicon: {} entries", lexicon.len()))?;
                        Ok(())
                    })?;
                    Ok(())
                })?;
                Ok(())
            })?;
            w.create_element("text").write_inner_content(|w| {
                w.create_element("body").write_inner_content(|w| {
                    for e in lexicon.entries() {
                        concept(w, lexicon, e)?;
                    }
                    Ok(())
                })?;
                Ok(())
            })?;
            Ok(())
        })?;
    w.get_mut().write_all(b"\n")
}

type W<'a> = Writer<&'a mut dyn Write>;

/// `<name>text</name>`, escaped.
fn text(w: &mut W<'_>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&clean(value)))?;
    Ok(())
}

/// `<name type="kind">text</name>`, escaped.
fn typed(w: &mut W<'_>, name: &str, kind: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .with_attribute(("type", kind))
        .write_text_content(BytesText::new(&clean(value)))?;
    Ok(())
}

fn concept(w: &mut W<'_>, lexicon: &Lexicon, e: &Entry) -> io::Result<()> {
    w.create_element("conceptEntry")
        .with_attribute(("id", concept_id(&e.id).as_str()))
        .write_inner_content(|w| {
            typed(w, "descrip", "subjectField", &e.category)?;
            for id in &e.related {
                if let Some(r) = lexicon.get(id) {
                    w.create_element("ref")
                        .with_attributes([
                            ("type", "crossReference"),
                            ("target", concept_id(id).as_str()),
                        ])
                        .write_text_content(BytesText::new(&clean(&r.term)))?;
                }
            }
            if let Some(by) = e.superseded_by.as_deref().and_then(|id| lexicon.get(id)) {
                text(w, "note", &format!("已由“{}”取代", by.term))?;
            }
            if let Some(notes) = &e.notes {
                text(w, "note", notes)?;
            }
            zh(w, e)?;
            if let Some(en) = &e.en {
                w.create_element("langSec")
                    .with_attribute(("xml:lang", "en"))
                    .write_inner_content(|w| {
                        term_sec(w, en, "preferredTerm-admn-sts", e.en_note.as_deref())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

fn zh(w: &mut W<'_>, e: &Entry) -> io::Result<()> {
    w.create_element("langSec")
        .with_attribute(("xml:lang", "zh"))
        .write_inner_content(|w| {
            w.create_element("descripGrp").write_inner_content(|w| {
                typed(w, "descrip", "definition", &e.definition)?;
                for s in &e.sources {
                    typed(w, "admin", "source", s)?;
                }
                Ok(())
            })?;
            if !e.components.is_empty() {
                text(w, "note", &format!("组成：{}", e.components.join("、")))?;
            }
            term_sec(w, &e.term, "preferredTerm-admn-sts", None)?;
            for v in &e.variants {
                term_sec(w, v, "admittedTerm-admn-sts", None)?;
            }
            for f in &e.wrong {
                term_sec(w, &f.form, "deprecatedTerm-admn-sts", f.note.as_deref())?;
            }
            for f in &e.outdated {
                term_sec(w, &f.form, "supersededTerm-admn-sts", f.note.as_deref())?;
            }
            Ok(())
        })?;
    Ok(())
}

fn term_sec(w: &mut W<'_>, term: &str, status: &str, note: Option<&str>) -> io::Result<()> {
    w.create_element("termSec").write_inner_content(|w| {
        text(w, "term", term)?;
        typed(w, "termNote", "administrativeStatus", status)?;
        if let Some(n) = note {
            text(w, "note", n)?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_ncnames() {
        assert_eq!(concept_id("liangdui-yishi"), "liangdui-yishi");
        assert_eq!(concept_id("1333"), "c-1333");
        assert_eq!(concept_id("n1333"), "n1333");
    }

    #[test]
    fn forbidden_characters_are_dropped() {
        assert_eq!(
            clean("a\u{1}b\u{FFFF}c\n"),
            "a\u{1}b\u{FFFF}c\n".replace(['\u{1}', '\u{FFFF}'], "")
        );
        assert!(matches!(clean("两队一室"), Cow::Borrowed(_)));
    }
}

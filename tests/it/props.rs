//! Property tests of the scanner against a naive search, and of the
//! normalizer's offset map.

use std::sync::OnceLock;

use proptest::prelude::*;
use tifa::lexicon::{Context, FormKind, Lexicon, Scope};
use tifa::scan::{Hit, Scanner, accepted, outermost, per_entry};
use tifa::text::normalize;

/// The embedded lexicon with every entry matched everywhere
/// (`--all-terms`) and its scanner, built once for all cases: the
/// automaton against a naive search.
fn fixture() -> &'static (Lexicon, Scanner) {
    static FIXTURE: OnceLock<(Lexicon, Scanner)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let lexicon = Lexicon::embedded()
            .expect("embedded lexicon loads")
            .with_all_terms();
        let scanner = Scanner::new(&lexicon).expect("scanner builds");
        (lexicon, scanner)
    })
}

/// The embedded lexicon as a run has it (`general` entries only in
/// quotes, context rules applied) and its scanner.
fn policy_fixture() -> &'static (Lexicon, Scanner) {
    static FIXTURE: OnceLock<(Lexicon, Scanner)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let lexicon = Lexicon::embedded().expect("embedded lexicon loads");
        let scanner = Scanner::new(&lexicon).expect("scanner builds");
        (lexicon, scanner)
    })
}

/// Every form of the lexicon, as written.
fn forms(lexicon: &Lexicon) -> Vec<String> {
    lexicon
        .entries()
        .iter()
        .flat_map(|e| e.forms().map(|(_, _, f)| f.to_owned()))
        .collect()
}

/// Random documents: lexicon forms (some broken by a line wrap), CJK
/// filler, ASCII, full-width characters, spaces and line breaks.
fn document(forms: Vec<String>) -> impl Strategy<Value = String> {
    let form = proptest::sample::select(forms);
    let piece = prop_oneof![
        4 => form.clone(),
        1 => form.clone().prop_map(|f| format!("“{f}”")),
        2 => (form, 0usize..8, prop_oneof![Just("\n"), Just("\n\n"), Just(" "), Just("\r\n")]).prop_map(
            |(f, k, brk)| {
                let chars: Vec<char> = f.chars().collect();
                let k = k.min(chars.len());
                let (a, b): (String, String) = (chars[..k].iter().collect(), chars[k..].iter().collect());
                format!("{a}{brk}{b}")
            }
        ),
        3 => proptest::sample::select(vec![
            "的", "在", "和", "一", "室", "队", "主", "防", "所", "、", "，", "“", "”", "。",
        ]).prop_map(str::to_owned),
        2 => proptest::sample::select(vec![
            "1", "3", "N", "x", "40", "%", "+", "＋", "３", "Ｎ", " ", "\n", "\n\n", "\t",
        ]).prop_map(str::to_owned),
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

/// Leftmost-longest, non-overlapping occurrences of `forms` in `text`
/// (already normalized), with the ASCII boundary rule, by brute force.
fn naive_count(text: &str, forms: &[String]) -> usize {
    let bytes = text.as_bytes();
    let alnum = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_some_and(u8::is_ascii_alphanumeric)
    };
    let mut count = 0;
    let mut at = 0;
    while at <= text.len() {
        let longest = forms
            .iter()
            .filter(|f| {
                text.get(at..)
                    .is_some_and(|rest| rest.starts_with(f.as_str()))
            })
            .filter(|f| {
                let fb = f.as_bytes();
                let end = at + f.len();
                !(fb[0].is_ascii_alphanumeric() && alnum(at.checked_sub(1))
                    || fb[fb.len() - 1].is_ascii_alphanumeric() && alnum(Some(end)))
            })
            .map(String::len)
            .max();
        match longest {
            Some(len) => {
                count += 1;
                at += len;
            }
            None => at += text[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    count
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn counts_match_naive_search(text in document(forms(&fixture().0))) {
        let (lexicon, scanner) = fixture();
        let hits = scanner.hits(&text);
        let occurrences = per_entry(&hits);
        let norm = normalize(&text);
        for (i, e) in lexicon.entries().iter().enumerate() {
            let entry_forms: Vec<String> = e
                .forms()
                .filter(|(k, _, _)| k.is_accepted())
                .map(|(_, _, f)| normalize(f).as_str().to_owned())
                .collect();
            let want = naive_count(norm.as_str(), &entry_forms);
            let got = occurrences.iter().filter(|o| o.hit.entry == i).count();
            prop_assert_eq!(got, want, "entry {} in {:?}", &e.id, &text);
        }
    }

    /// With the precision policy, the hits are those of every form
    /// everywhere that stand in their entry's context: a `general` entry
    /// inside quotation marks, an entry with a rule where the rule allows.
    #[test]
    fn context_rules_filter_the_hits(text in document(forms(&policy_fixture().0))) {
        let (all_lexicon, all) = fixture();
        let (lexicon, scanner) = policy_fixture();
        let want: Vec<Hit> = all
            .hits(&text)
            .into_iter()
            .filter(|h| {
                let e = &lexicon.entries()[h.entry];
                assert_eq!(e.id, all_lexicon.entries()[h.entry].id);
                // The policy, written out: a `general` entry only in quotes.
                let context = match &e.context {
                    Context::Any if e.scope == Scope::General => Context::Quoted,
                    c => c.clone(),
                };
                assert_eq!(*lexicon.context_of(e), context);
                context.allows(&text, h.start, h.end)
            })
            .collect();
        prop_assert_eq!(scanner.hits(&text), want, "{:?}", &text);
    }

    #[test]
    fn hits_are_every_occurrence_in_order(text in document(forms(&fixture().0))) {
        let (lexicon, scanner) = fixture();
        let norm = normalize(&text);
        let n = norm.as_str();
        let bytes = n.as_bytes();
        let alnum = |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(u8::is_ascii_alphanumeric);
        let mut want = Vec::new();
        for (entry, e) in lexicon.entries().iter().enumerate() {
            for (kind, form, written) in e.forms() {
                let f = normalize(written).as_str().to_owned();
                let fb = f.as_bytes();
                let starts = n.char_indices().map(|(i, _)| i).filter(|&i| n[i..].starts_with(f.as_str()));
                for at in starts {
                    let end = at + f.len();
                    if fb[0].is_ascii_alphanumeric() && alnum(at.checked_sub(1))
                        || fb[fb.len() - 1].is_ascii_alphanumeric() && alnum(Some(end))
                    {
                        continue;
                    }
                    want.push(Hit {
                        start: norm.start_to_original(at),
                        end: norm.end_to_original(end),
                        entry,
                        kind,
                        form,
                    });
                }
            }
        }
        tifa::scan::sort(&mut want);
        prop_assert_eq!(scanner.hits(&text), want, "{:?}", &text);
    }

    #[test]
    fn spans_read_back_as_forms(text in document(forms(&fixture().0))) {
        let (lexicon, scanner) = fixture();
        for h in scanner.hits(&text) {
            let e = lexicon.entry(h.entry);
            let read = normalize(&text[h.start..h.end]).as_str().to_owned();
            let want = normalize(e.form(h.kind, h.form)).as_str().to_owned();
            prop_assert_eq!(&read, &want);
            if h.kind == FormKind::Term {
                let term = normalize(&e.term).as_str().to_owned();
                prop_assert_eq!(read, term);
            }
        }
    }

    #[test]
    fn offset_map_round_trips(text in document(forms(&fixture().0))) {
        let norm = normalize(&text);
        let n = norm.as_str();
        let bounds: Vec<usize> = n.char_indices().map(|(i, _)| i).chain([n.len()]).collect();
        let mut last_start = 0;
        let mut last_end = 0;
        for &b in &bounds {
            let s = norm.start_to_original(b);
            let e = norm.end_to_original(b);
            prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            prop_assert!(s >= last_start && e >= last_end, "monotone");
            prop_assert!(e <= s, "an end never passes the next start");
            last_start = s;
            last_end = e;
        }
        for w in bounds.windows(2) {
            for &b in bounds.iter().filter(|&&b| b > w[0]).take(6) {
                let (a, z) = (norm.start_to_original(w[0]), norm.end_to_original(b));
                let read = normalize(&text[a..z]).as_str().to_owned();
                prop_assert_eq!(read.as_str(), &n[w[0]..b]);
            }
        }
    }
}

/// Pushes `text` to `streamer` in pieces of about `piece` bytes (cut on
/// character boundaries), then finishes it.
fn push_in_pieces(
    mut streamer: tifa::scan::stream::Streamer<'_>,
    text: &str,
    piece: usize,
    on: &mut dyn FnMut(&tifa::scan::stream::Window<'_>) -> Result<(), ()>,
) {
    let mut rest = text;
    while !rest.is_empty() {
        let mut n = piece.min(rest.len());
        while !rest.is_char_boundary(n) {
            n += 1;
        }
        streamer.push(&rest[..n], on).unwrap();
        rest = &rest[n..];
    }
    streamer.finish(on).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Scanning in pieces of any size gives the spans, positions and counts
    /// of scanning the whole text.
    #[test]
    fn pieces_equal_the_whole(text in document(forms(&fixture().0)), piece in 1usize..64) {
        use tifa::scan::Resolver;
        use tifa::scan::stream::{Streamer, Window};
        let (_, scanner) = fixture();
        let whole = scanner.hits(&text);
        let spans = outermost(&whole, accepted);
        let index = tifa::text::LineIndex::new(&text);
        let want: Vec<_> = spans
            .iter()
            .map(|h| (h.start, h.end, h.entry, index.position(&text, h.start), index.position(&text, h.end)))
            .collect();
        let want_occ: Vec<_> = per_entry(&whole)
            .iter()
            .map(|o| (o.hit.start, o.hit.entry, o.nested))
            .collect();

        let mut got = Vec::new();
        let mut got_occ = Vec::new();
        let mut resolver = Resolver::default();
        let mut on = |w: &Window<'_>| -> Result<(), ()> {
            let (sp, oc) = resolver.push(&w.hits());
            for h in &sp {
                let s = w.span(h);
                got.push((h.start, h.end, h.entry, s.start, s.end));
                assert_eq!(w.matched(h), &text[h.start..h.end]);
            }
            got_occ.extend(oc.iter().map(|o| (o.hit.start, o.hit.entry, o.nested)));
            Ok(())
        };
        push_in_pieces(Streamer::new(scanner, piece), &text, piece, &mut on);
        got_occ.sort();
        let mut want_occ = want_occ;
        want_occ.sort();
        prop_assert_eq!(got, want);
        prop_assert_eq!(got_occ, want_occ);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Counting each piece apart from the pieces before it (as the threads
    /// of a streamed `count` do) and joining the counts in order gives the
    /// count of the whole text, whatever the piece size.
    #[test]
    fn pieces_counted_apart_join_to_the_whole(text in document(forms(&fixture().0)), piece in 1usize..64) {
        use tifa::count::{Joined, PieceTally, Tally};
        use tifa::scan::stream::{Streamer, Window};
        let (_, scanner) = fixture();
        let whole = scanner.hits(&text);
        let want = Tally::of(&outermost(&whole, accepted), &per_entry(&whole));

        let mut pieces = Vec::new();
        let mut settled = 0;
        let mut on = |w: &Window<'_>| -> Result<(), ()> {
            pieces.push(w.to_piece(settled, String::new()));
            settled = w.end();
            Ok(())
        };
        push_in_pieces(Streamer::new(scanner, piece).without_positions(), &text, piece, &mut on);
        // Counted apart, in reverse order: no piece sees another's state.
        let mut counted: Vec<PieceTally> = pieces
            .iter()
            .rev()
            .map(|p| {
                let mut t = PieceTally::new(p.settled);
                p.for_each_hit(scanner, |h| t.add(&h));
                t
            })
            .collect();
        counted.reverse();
        let mut joined = Joined::default();
        for t in counted {
            joined.join(t);
        }
        prop_assert_eq!(joined.tally, want);
    }
}

/// Random HTML-like text: tags, entities, script blocks, CJK and ASCII.
fn html_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::sample::select(vec![
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<br>",
            "<td>",
            "</td>",
            "<!-- c -->",
            "<script>x<b>y</script>",
            "<a href=\"a>b\">",
            "&amp;",
            "&ldquo;",
            "&#x4E24;",
            "&#38431;",
            "&bogus;",
            "&",
            "<",
            ">",
            "两队",
            "一室",
            "派出所",
            " ",
            "\n",
            "x",
            "１",
        ])
        .prop_map(str::to_owned),
        "[a-z<>&#;/ ]{0,6}",
    ];
    proptest::collection::vec(piece, 0..25).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every character of text extracted from HTML maps into the source, in
    /// order and on character boundaries; text outside markup maps to
    /// itself.
    #[test]
    fn html_offsets_map_into_the_source(source in html_like()) {
        let e = tifa::format::html::extract(&source);
        let (mut last_a, mut last_b) = (0, 0);
        for (i, c) in e.text.char_indices() {
            let a = e.map.start_to_original(i);
            let b = e.map.end_to_original(i + c.len_utf8());
            // Characters made from one tag share its span.
            prop_assert!(a >= last_a && b >= last_b && a < b && b <= source.len());
            prop_assert!(source.is_char_boundary(a) && source.is_char_boundary(b));
            let original = &source[a..b];
            if !original.starts_with(['<', '&']) {
                prop_assert_eq!(original, c.to_string());
            }
            (last_a, last_b) = (a, b);
        }
    }
}

/// A checker on the lexicon as a run has it, built once for all cases.
fn checker() -> &'static tifa::check::Checker<'static> {
    static CHECKER: OnceLock<tifa::check::Checker<'static>> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let (lexicon, scanner) = policy_fixture();
        tifa::check::Checker::new(lexicon, scanner, tifa::check::Settings::default())
            .expect("checker builds")
    })
}

/// Where `check` and `scan` agree on what a term is: a wrong or outdated
/// form `check` reports is exactly a span the scanner resolves
/// (leftmost-longest over every kind of form) as that wrong or outdated
/// form, and each such span is reported, by that rule or by a finding
/// that covers it.
fn wrong_forms_agree(text: &str) -> Result<(), TestCaseError> {
    use tifa::check::{Detail, Rule};
    let (_, scanner) = policy_fixture();
    let norm = normalize(text);
    let hits = scanner.normalized_hits(norm.as_str());
    let wrong: Vec<(usize, usize)> = outermost(&hits, |h| {
        matches!(
            h.kind,
            FormKind::Term | FormKind::Variant | FormKind::Wrong | FormKind::Outdated
        )
    })
    .iter()
    .filter(|h| matches!(h.kind, FormKind::Wrong | FormKind::Outdated))
    .map(|h| (norm.start_to_original(h.start), norm.end_to_original(h.end)))
    .collect();
    let findings = checker().check(text);
    for f in &findings {
        let listed = f.rule == Rule::WrongForm
            || f.rule == Rule::Superseded && matches!(f.detail, Detail::Outdated(Some(_)));
        prop_assert!(
            !listed || wrong.contains(&(f.start, f.end)),
            "{text:?}: check reports {:?} at {}..{}, scan sees {wrong:?}",
            f.rule,
            f.start,
            f.end
        );
    }
    for (a, b) in &wrong {
        prop_assert!(
            findings.iter().any(|f| f.start <= *a && *b <= f.end),
            "{text:?}: scan sees a wrong form at {a}..{b} that check does not report"
        );
    }
    Ok(())
}

#[test]
fn check_and_scan_agree_on_a_run_with_a_tab() {
    // Found by the check_fix fuzz target.
    wrong_forms_agree("省级主责,\t市县主战,派出所主防").unwrap();
    wrong_forms_agree("省级主责,市县主战,派出所主防").unwrap();
    wrong_forms_agree("省级主责， 市县主战，\n派出所主防").unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn check_and_scan_agree_on_wrong_forms(text in document(forms(&policy_fixture().0))) {
        wrong_forms_agree(&text)?;
    }
}

/// The check_fix fuzz target's promise on the inputs it once broke
/// (fuzz/regressions/check_fix): findings on character boundaries, not
/// overlapping, and the fixed text holds no more wrong forms than the fix
/// left.
#[test]
fn fuzz_regressions_of_check_fix() {
    use tifa::check::{Rule, fix};
    let (_, scanner) = policy_fixture();
    let wrong = |text: &str| {
        let hits = scanner.hits(text);
        outermost(&hits, |h| {
            matches!(
                h.kind,
                FormKind::Term | FormKind::Variant | FormKind::Wrong | FormKind::Outdated
            )
        })
        .iter()
        .filter(|h| h.kind == FormKind::Wrong)
        .count()
    };
    let dir = std::path::Path::new("fuzz/regressions/check_fix");
    let mut n = 0;
    for item in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(item.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let findings = checker().check(&text);
        for f in &findings {
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        }
        assert!(findings.windows(2).all(|w| w[0].end <= w[1].start));
        let fixed_wrong = findings
            .iter()
            .filter(|f| f.rule == Rule::WrongForm && f.fixable)
            .count();
        let (fixed, _) = fix::apply(&text, &findings);
        assert!(
            wrong(&fixed) + fixed_wrong <= wrong(&text),
            "{text:?} → {fixed:?}"
        );
        n += 1;
    }
    assert!(n >= 2);
}

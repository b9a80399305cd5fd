//! The embedded lexicon: loads without a single diagnostic, every entry is
//! complete, and every example and counterexample passes.

use std::collections::HashSet;

use tifa::cli::ExitStatus;
use tifa::lexicon::Lexicon;

use crate::tifa;

/// The categories documented in lexicon/README.md.
const CATEGORIES: [&str; 8] = tifa::lookup::CATEGORIES;

#[test]
fn loads_clean() {
    // The TOML path, validated (the digest of build.rs is not).
    let lexicon = match Lexicon::load(&[tifa::lexicon::embedded_files()]) {
        Ok(l) => l,
        Err(diags) => {
            let all: Vec<String> = diags.iter().map(ToString::to_string).collect();
            panic!("embedded lexicon has problems:\n{}", all.join("\n"));
        }
    };
    assert!(lexicon.len() >= 1500, "only {} entries", lexicon.len());
}

/// What build.rs digested is what the validated TOML path makes, entry for
/// entry, locations included.
#[test]
fn digest_equals_toml() {
    let toml = Lexicon::load(&[tifa::lexicon::embedded_files()]).unwrap();
    let digest = Lexicon::embedded().unwrap();
    assert_eq!(toml.len(), digest.len());
    for (a, b) in toml.entries().iter().zip(digest.entries()) {
        assert_eq!(a, b);
    }
}

#[test]
fn entries_are_complete() {
    let lexicon = Lexicon::embedded().unwrap();
    let categories: HashSet<&str> = CATEGORIES.iter().copied().collect();
    let mut problems = Vec::new();
    for e in lexicon.entries() {
        if !categories.contains(e.category.as_str()) {
            problems.push(format!(
                "{}: category {} is not documented",
                e.location, e.category
            ));
        }
        if e.en.is_none() {
            problems.push(format!("{}: `{}` has no en", e.location, e.id));
        }
        if e.sources.is_empty() {
            problems.push(format!("{}: `{}` has no sources", e.location, e.id));
        }
        if e.examples.is_empty() {
            problems.push(format!("{}: `{}` has no examples", e.location, e.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn examples_pass() {
    let (status, out, err) = tifa(&["lexicon", "test"]);
    assert_eq!(status, ExitStatus::Success, "{out}{err}");
}

/// The files of the seed article's entries: their sources name the article
/// and its part, not a page.
const SEED_FILES: [&str; 8] = [
    "lexicon/campaigns.toml",
    "lexicon/core.toml",
    "lexicon/mechanisms.toml",
    "lexicon/platforms.toml",
    "lexicon/slogans.toml",
    "lexicon/team.toml",
    "lexicon/tech.toml",
    "lexicon/vocabulary.toml",
];

/// The URL of a source written `出处｜URL｜日期`.
fn url_of(source: &str) -> Option<&str> {
    source
        .split('｜')
        .map(str::trim)
        .find(|p| p.starts_with("http://") || p.starts_with("https://"))
}

/// A URL compared without its scheme, `www.`/`m.` prefix or final `/`
/// (the rule of scripts/eval_reserved.py).
fn normalized_url(url: &str) -> String {
    let u = url.trim().to_lowercase();
    let u = u.split_once("://").map_or(u.as_str(), |(_, rest)| rest);
    let u = u
        .strip_prefix("www.")
        .or_else(|| u.strip_prefix("m."))
        .unwrap_or(u);
    u.trim_end_matches('/').to_owned()
}

/// The house rules of lexicon/README.md that the loader does not check.
#[test]
fn house_rules() {
    let lexicon = Lexicon::embedded().unwrap();
    let mut problems = Vec::new();
    for file in tifa::lexicon::embedded_files() {
        let doc: toml::Table = toml::from_str(&file.text).unwrap();
        let entries = doc.get("entry").and_then(|e| e.as_array());
        for e in entries.into_iter().flatten() {
            if e.get("scope").is_none() {
                let id = e.get("id").and_then(|i| i.as_str()).unwrap_or("?");
                problems.push(format!("{}: `{id}` does not say its scope", file.path));
            }
        }
    }
    for e in lexicon.entries() {
        if e.definition.contains("文中") {
            problems.push(format!(
                "{}: `{}`: definition speaks of 文中",
                e.location, e.id
            ));
        }
        if e.en.as_deref().is_some_and(|en| en.contains(['(', '（'])) {
            problems.push(format!("{}: `{}`: en is not a bare term", e.location, e.id));
        }
        let seed = SEED_FILES.contains(&e.location.path.as_str());
        if !seed && !e.sources.iter().any(|s| url_of(s).is_some()) {
            problems.push(format!(
                "{}: `{}` names no page in sources",
                e.location, e.id
            ));
        }
        for r in &e.related {
            if lexicon.get(r).is_some_and(|o| !o.related.contains(&e.id)) {
                problems.push(format!(
                    "{}: `{}` → `{r}` has no link back",
                    e.location, e.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The evaluation pages (tests/eval, both sets) were set aside before
/// harvesting: no entry may rest on one of them.
#[test]
fn no_source_is_an_evaluation_page() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
    let mut eval = HashSet::new();
    for side in ["policing", "general", "set-2/policing", "set-2/general"] {
        for item in std::fs::read_dir(root.join(side)).unwrap() {
            let text = std::fs::read_to_string(item.unwrap().path()).unwrap();
            if let Some(url) = text.lines().find_map(|l| l.strip_prefix("url:")) {
                eval.insert(normalized_url(url));
            }
        }
    }
    assert!(eval.len() >= 70, "only {} evaluation pages", eval.len());
    let lexicon = Lexicon::embedded().unwrap();
    let used: Vec<String> = lexicon
        .entries()
        .iter()
        .flat_map(|e| {
            e.sources
                .iter()
                .filter_map(|s| url_of(s))
                .map(move |u| (e, u))
        })
        .filter(|(_, u)| eval.contains(&normalized_url(u)))
        .map(|(e, u)| format!("{}: `{}` cites the evaluation page {u}", e.location, e.id))
        .collect();
    assert!(used.is_empty(), "{}", used.join("\n"));
}

/// lexicon/SOURCES.tsv lists exactly the pages the lexicon cites
/// (scripts/sources.py writes it).
#[test]
fn sources_list_is_complete() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicon/SOURCES.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let listed: HashSet<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    let lexicon = Lexicon::embedded().unwrap();
    let cited: HashSet<&str> = lexicon
        .entries()
        .iter()
        .flat_map(|e| e.sources.iter().filter_map(|s| url_of(s)))
        .collect();
    let missing: Vec<&&str> = cited.difference(&listed).collect();
    let extra: Vec<&&str> = listed.difference(&cited).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "run python3 scripts/sources.py; missing {missing:?}, not cited {extra:?}"
    );
}

#[test]
fn url_rule() {
    assert_eq!(normalized_url("https://www.a.cn/x/"), "a.cn/x");
    assert_eq!(normalized_url("http://m.A.cn/x"), "a.cn/x");
    assert_eq!(url_of("人民网｜http://a.cn/1｜2023"), Some("http://a.cn/1"));
    assert_eq!(url_of("包头｜副市长｜第一部分"), None);
}

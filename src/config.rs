//! `tifa.toml`: the project's configuration, found by walking up from the
//! working directory (or named with `--config`).
//!
//! ```toml
//! lexicon = ["terms/"]                 # extra lexicon files or folders
//! include = ["docs/**/*.md"]           # only these files (globs)
//! exclude = ["docs/archive/**"]        # never these
//! allow = ["两队一所"]                  # forms never reported by check
//! fail-on = "error"                    # check's exit status threshold
//! near-miss-min-chars = 5
//!
//! [rules]
//! near-miss = "off"                    # or "info", "warning", "error"
//! non-canonical = "error"
//! ```
//!
//! Paths are relative to the file. Unknown keys, unknown rules and bad
//! values are errors at their `path:line:column`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::check::{self, Rule, Settings, Severity};
use crate::diagnostic::Diagnostic;
use crate::input::{Filter, io_message};

/// The file name looked for.
pub const FILE_NAME: &str = "tifa.toml";

/// The top-level keys, with their spans, for reading key by key (so
/// every problem is reported, not only the first).
type RawTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The `[rules]` table with spans of its keys and values.
#[derive(Debug, Deserialize)]
struct RawRules {
    #[serde(default)]
    rules: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

/// The keys of the file, in the order of the docs.
const KEYS: [&str; 7] = [
    "lexicon",
    "include",
    "exclude",
    "allow",
    "fail-on",
    "near-miss-min-chars",
    "rules",
];

/// A loaded configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from.
    pub path: Option<PathBuf>,
    /// Extra lexicon paths, resolved against the file's folder.
    pub lexicon: Vec<PathBuf>,
    /// Include globs (relative to the file's folder).
    pub include: Vec<String>,
    /// Exclude globs.
    pub exclude: Vec<String>,
    /// Forms never reported.
    pub allow: Vec<String>,
    /// Severity per rule (`None`: off).
    pub severities: HashMap<Rule, Option<Severity>>,
    /// The exit threshold of `check`.
    pub fail_on: Option<Severity>,
    /// Minimum length for near misses.
    pub near_miss_min_chars: Option<usize>,
}

impl Config {
    /// Finds `tifa.toml` in `start` or the nearest folder above it.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// What the checker is told by this configuration.
    pub fn settings(&self) -> Settings {
        Settings {
            severities: self.severities.clone(),
            allow: self.allow.clone(),
            near_miss_min_chars: self
                .near_miss_min_chars
                .unwrap_or(check::NEAR_MISS_MIN_CHARS),
        }
    }

    /// The `include` and `exclude` globs, relative to the file's folder.
    pub fn filter(&self) -> Filter {
        let base = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        Filter::new(base, &self.include, &self.exclude)
    }

    /// Reads and checks a configuration file.
    ///
    /// # Errors
    ///
    /// Every problem, located.
    pub fn load(path: &Path) -> Result<Config, Vec<Diagnostic>> {
        let (config, diags) = Config::load_lenient(path);
        if diags.is_empty() {
            Ok(config)
        } else {
            Err(diags)
        }
    }

    /// [`Config::load`] that keeps what is valid ([`Config::parse_lenient`]).
    pub fn load_lenient(path: &Path) -> (Config, Vec<Diagnostic>) {
        let shown = path.display().to_string();
        match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(text)) => {
                Config::parse_lenient(&shown, &text, path.parent().unwrap_or(Path::new(".")))
            }
            Ok(Err(e)) => {
                let at = e.utf8_error().valid_up_to();
                let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
                (
                    Config::default(),
                    vec![
                        Diagnostic::at(&shown, &valid, at..at, "config is not valid UTF-8".into())
                            .with_hint("save tifa.toml as UTF-8"),
                    ],
                )
            }
            Err(e) => (
                Config::default(),
                vec![Diagnostic::whole(
                    &shown,
                    format!("cannot read config: {}", io_message(&e)),
                )],
            ),
        }
    }

    /// Parses configuration `text` read from `shown`; relative paths are
    /// resolved against `base`.
    ///
    /// # Errors
    ///
    /// Every problem, located.
    pub fn parse(shown: &str, text: &str, base: &Path) -> Result<Config, Vec<Diagnostic>> {
        let (config, diags) = Config::parse_lenient(shown, text, base);
        if diags.is_empty() {
            Ok(config)
        } else {
            Err(diags)
        }
    }

    /// [`Config::parse`] that keeps what is valid: the configuration
    /// without its bad keys and values, and every problem, in the order of
    /// the file (all of them, unless the TOML itself cannot be read: then
    /// the first, and an empty configuration). For commands that can go on
    /// without the config's check settings, as `lookup` does.
    pub fn parse_lenient(shown: &str, text: &str, base: &Path) -> (Config, Vec<Diagnostic>) {
        let mut config = Config {
            path: Some(PathBuf::from(shown)),
            ..Config::default()
        };
        let syntax = |e: toml::de::Error| {
            vec![Diagnostic::at(
                shown,
                text,
                e.span().unwrap_or(0..0),
                e.message().trim().to_owned(),
            )]
        };
        let raw: RawTable = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => return (config, syntax(e)),
        };
        let rules = match toml::from_str::<RawRules>(text) {
            Ok(r) => r.rules.unwrap_or_default(),
            Err(e) => return (config, syntax(e)),
        };
        // (span start, diagnostic), sorted at the end.
        let mut diags: Vec<(usize, Diagnostic)> = Vec::new();
        let mut push = |span: std::ops::Range<usize>, d: Diagnostic| diags.push((span.start, d));
        let at = |s: std::ops::Range<usize>, m: String| Diagnostic::at(shown, text, s, m);
        for (key, value) in &raw {
            let span = value.span();
            let strings =
                |push: &mut dyn FnMut(std::ops::Range<usize>, Diagnostic)| -> Vec<String> {
                    match value.get_ref() {
                        toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => items
                            .iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect(),
                        _ => {
                            push(
                                span.clone(),
                                at(
                                    span.clone(),
                                    format!("`{}` must be a list of strings", key.get_ref()),
                                )
                                .with_hint(format!("{} = [\"…\"]", key.get_ref())),
                            );
                            Vec::new()
                        }
                    }
                };
            match key.get_ref().as_str() {
                "lexicon" => {
                    let paths = strings(&mut push);
                    for l in &paths {
                        let joined = base.join(l);
                        if std::fs::metadata(&joined).is_err() {
                            // At the string itself when it can be found.
                            let quoted = format!("\"{l}\"");
                            let here = text
                                .get(span.clone())
                                .and_then(|t| t.find(&quoted))
                                .map_or(span.clone(), |i| {
                                    span.start + i..span.start + i + quoted.len()
                                });
                            push(
                                here.clone(),
                                at(here, format!("no lexicon file or folder `{l}`"))
                                    .with_hint(format!("looked for {}", joined.display())),
                            );
                        }
                    }
                    config.lexicon = paths.iter().map(|l| base.join(l)).collect();
                }
                "include" | "exclude" => {
                    let globs = strings(&mut push);
                    for g in &globs {
                        if let Err(e) = globset::Glob::new(g) {
                            push(
                                span.clone(),
                                at(span.clone(), format!("invalid glob `{g}`: {}", e.kind())),
                            );
                        }
                    }
                    if key.get_ref() == "include" {
                        config.include = globs;
                    } else {
                        config.exclude = globs;
                    }
                }
                "allow" => config.allow = strings(&mut push),
                "fail-on" => match value.get_ref().as_str().and_then(Severity::from_name) {
                    Some(s) => config.fail_on = Some(s),
                    None => push(
                        span.clone(),
                        at(
                            span.clone(),
                            format!("invalid severity {}", display(value.get_ref())),
                        )
                        .with_hint("use \"info\", \"warning\" or \"error\""),
                    ),
                },
                "near-miss-min-chars" => match value.get_ref().as_integer().map(usize::try_from) {
                    Some(Ok(n)) if n >= 3 => config.near_miss_min_chars = Some(n),
                    _ => push(
                        span.clone(),
                        at(
                            span.clone(),
                            format!(
                                "near-miss-min-chars must be 3 or more, not {}",
                                display(value.get_ref())
                            ),
                        ),
                    ),
                },
                "rules" => {
                    if !value.get_ref().is_table() {
                        push(
                            span.clone(),
                            at(span.clone(), "`rules` must be a table".to_owned())
                                .with_hint("[rules]\nnear-miss = \"off\""),
                        );
                    }
                }
                other => push(
                    key.span(),
                    at(key.span(), format!("unknown key `{other}`"))
                        .with_hint(format!("keys: {}", KEYS.join(", "))),
                ),
            }
        }
        for (name, value) in &rules {
            let Some(rule) = Rule::from_id(name.get_ref()) else {
                let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
                push(
                    name.span(),
                    at(name.span(), format!("unknown rule `{}`", name.get_ref()))
                        .with_hint(format!("rules: {}", ids.join(", "))),
                );
                continue;
            };
            match value.get_ref().as_str() {
                Some("off") => {
                    config.severities.insert(rule, None);
                }
                v => match v.and_then(Severity::from_name) {
                    Some(s) => {
                        config.severities.insert(rule, Some(s));
                    }
                    None => push(
                        value.span(),
                        at(
                            value.span(),
                            format!("invalid severity {}", display(value.get_ref())),
                        )
                        .with_hint("use \"off\", \"info\", \"warning\" or \"error\""),
                    ),
                },
            }
        }
        diags.sort_by_key(|(start, _)| *start);
        (config, diags.into_iter().map(|(_, d)| d).collect())
    }
}

/// A value as a message shows it: a string in backticks, others as TOML.
fn display(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("`{s}`"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        Config::parse("tifa.toml", text, Path::new("."))
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn good() {
        let c = Config::parse(
            "tifa.toml",
            "allow = [\"两队一所\"]\nfail-on = \"error\"\n[rules]\nnear-miss = \"off\"\nnon-canonical = \"error\"\n",
            Path::new("/p"),
        )
        .unwrap();
        assert_eq!(c.severities[&Rule::NearMiss], None);
        assert_eq!(c.severities[&Rule::NonCanonical], Some(Severity::Error));
        assert_eq!(c.fail_on, Some(Severity::Error));
    }

    #[test]
    fn bad() {
        assert_eq!(
            errors("[rules]\nnear-mis = \"off\"\nwrong-form = \"loud\"\n"),
            [
                "tifa.toml:2:1: unknown rule `near-mis`",
                "tifa.toml:3:14: invalid severity `loud`"
            ]
        );
        assert_eq!(
            errors("exclud = []\n"),
            ["tifa.toml:1:1: unknown key `exclud`"]
        );
    }

    /// Every problem, in the order of the file, not only the first; the
    /// valid keys are kept.
    #[test]
    fn all_problems_in_line_order() {
        let text = "allow = [\"两队一所\"]\nnear-miss-min-chars = \"x\"\nfail-on = 3\nunknown = 1\n\
                    lexicon = [\"terms/\"]\n[rules]\nfoo = \"error\"\nnear-miss = \"loud\"\n";
        assert_eq!(
            errors(text),
            [
                "tifa.toml:2:23: near-miss-min-chars must be 3 or more, not `x`",
                "tifa.toml:3:11: invalid severity 3",
                "tifa.toml:4:1: unknown key `unknown`",
                "tifa.toml:5:12: no lexicon file or folder `terms/`",
                "tifa.toml:7:1: unknown rule `foo`",
                "tifa.toml:8:13: invalid severity `loud`",
            ]
        );
        let (config, _) = Config::parse_lenient("tifa.toml", text, Path::new("/p"));
        assert_eq!(config.allow, ["两队一所"]);
        assert_eq!(config.lexicon, [PathBuf::from("/p/terms/")]);
    }
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    lexicon: Vec<Spanned<String>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    near_miss_min_chars: Option<Spanned<i64>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
}

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
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::whole(
                &shown,
                format!("cannot read config: {}", io_message(&e)),
            )]
        })?;
        Config::parse(&shown, &text, path.parent().unwrap_or(Path::new(".")))
    }

    /// Parses configuration `text` read from `shown`; relative paths are
    /// resolved against `base`.
    ///
    /// # Errors
    ///
    /// Every problem, located.
    pub fn parse(shown: &str, text: &str, base: &Path) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            vec![Diagnostic::at(
                shown,
                text,
                e.span().unwrap_or(0..0),
                e.message().trim().to_owned(),
            )]
        })?;
        let mut diags = Vec::new();
        let at = |s: std::ops::Range<usize>, m: String| Diagnostic::at(shown, text, s, m);
        let mut severities = HashMap::new();
        for (name, value) in &raw.rules {
            let Some(rule) = Rule::from_id(name.get_ref()) else {
                let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
                diags.push(
                    at(name.span(), format!("unknown rule `{}`", name.get_ref()))
                        .with_hint(format!("rules: {}", ids.join(", "))),
                );
                continue;
            };
            match value.get_ref().as_str() {
                "off" => {
                    severities.insert(rule, None);
                }
                v => match Severity::from_name(v) {
                    Some(s) => {
                        severities.insert(rule, Some(s));
                    }
                    None => diags.push(
                        at(value.span(), format!("invalid severity `{v}`"))
                            .with_hint("use \"off\", \"info\", \"warning\" or \"error\""),
                    ),
                },
            }
        }
        let fail_on = raw.fail_on.as_ref().and_then(|v| {
            let s = Severity::from_name(v.get_ref());
            if s.is_none() {
                diags.push(
                    at(v.span(), format!("invalid severity `{}`", v.get_ref()))
                        .with_hint("use \"info\", \"warning\" or \"error\""),
                );
            }
            s
        });
        let near_miss_min_chars =
            raw.near_miss_min_chars
                .as_ref()
                .and_then(|v| match usize::try_from(*v.get_ref()) {
                    Ok(n) if n >= 3 => Some(n),
                    _ => {
                        diags.push(at(
                            v.span(),
                            format!("near-miss-min-chars must be 3 or more, not {}", v.get_ref()),
                        ));
                        None
                    }
                });
        for glob in raw.include.iter().chain(&raw.exclude) {
            if let Err(e) = globset::Glob::new(glob.get_ref()) {
                diags.push(at(glob.span(), format!("invalid glob: {}", e.kind())));
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let strings = |v: &[Spanned<String>]| v.iter().map(|s| s.get_ref().clone()).collect();
        Ok(Config {
            path: Some(PathBuf::from(shown)),
            lexicon: raw.lexicon.iter().map(|l| base.join(l.get_ref())).collect(),
            include: strings(&raw.include),
            exclude: strings(&raw.exclude),
            allow: strings(&raw.allow),
            severities,
            fail_on,
            near_miss_min_chars,
        })
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
            errors("exclud = []\n")[0].split(',').next().unwrap(),
            "tifa.toml:1:1: unknown field `exclud`"
        );
    }
}

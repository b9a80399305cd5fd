//! The configurations and lexicons of the open documents.
//!
//! A document is checked with the `tifa.toml` that `tifa check` would use
//! for it (`--config`, or the nearest one at or above its folder, unless
//! `--no-config`) and the lexicon that configuration and `--lexicon` name:
//! the same functions as the command line ([`crate::setup`]). Each
//! configuration file gives a [`Profile`]; before each check its files are
//! read again and compared with what it was built from, so a change on
//! disk is picked up whether or not the client reports it. A broken file
//! leaves the last good [`Setup`] in use, and its problems are kept for
//! the server to publish on the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::check::Checker;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::engine::{Engine, LexiconSource};
use crate::input::{Filter, io_message};
use crate::lexicon::{Lexicon, LexiconFile};
use crate::setup::{self, ConfigSource};

/// Everything a document is checked with: the configuration and the
/// engine built from it, as `tifa check` builds them.
#[derive(Debug)]
pub(crate) struct Setup {
    pub(crate) config: Config,
    pub(crate) engine: Engine,
    filter: Filter,
}

impl Setup {
    /// False for a file the configuration's `include` and `exclude` leave
    /// out: `tifa check` skips it, even when named.
    pub(crate) fn checks(&self, path: Option<&Path>) -> bool {
        path.is_none_or(|p| self.filter.allows(p))
    }

    /// The checker, as `tifa check` builds it; its index is built once per
    /// setup, not once per check.
    pub(crate) fn checker(&self) -> Option<Checker<'_>> {
        self.engine.checker().ok()
    }

    /// The lexicon.
    pub(crate) fn lexicon(&self) -> &Lexicon {
        self.engine.lexicon()
    }
}

/// What a profile was built from: when any of it changes, it is built
/// again.
#[derive(Debug, PartialEq, Eq)]
struct Inputs {
    /// The configuration's text, or why it could not be read.
    config: Option<Result<String, String>>,
    /// The lexicon files read.
    layers: Vec<Vec<LexiconFile>>,
    /// Lexicon paths that could not be read.
    unreadable: Vec<Diagnostic>,
}

/// One configuration file (or none) and what was built from it.
#[derive(Debug, Default)]
struct Profile {
    inputs: Option<Inputs>,
    /// The last engine built without problems.
    engine: Option<Rc<Setup>>,
    /// The problems of the last build.
    problems: Vec<Diagnostic>,
}

/// The profiles of a server.
#[derive(Debug)]
pub(crate) struct Workspace {
    source: ConfigSource,
    lexicon: Vec<PathBuf>,
    default_lexicon: bool,
    profiles: HashMap<Option<PathBuf>, Profile>,
}

/// The engine for a document, and whether any profile was built again.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) engine: Option<Rc<Setup>>,
    pub(crate) rebuilt: bool,
}

impl Workspace {
    pub(crate) fn new(source: ConfigSource, lexicon: Vec<PathBuf>, default_lexicon: bool) -> Self {
        Workspace {
            source,
            lexicon,
            default_lexicon,
            profiles: HashMap::new(),
        }
    }

    /// The engine for a document in folder `dir`, built again first when
    /// its files changed. Without a good build of its own configuration
    /// yet, the engine without configuration stands in.
    pub(crate) fn engine(&mut self, dir: &Path) -> Found {
        let key = self
            .source
            .path(dir)
            .map(|p| std::path::absolute(&p).unwrap_or(p));
        let mut rebuilt = self.refresh(key.clone());
        let mut engine = self.profiles.get(&key).and_then(|p| p.engine.clone());
        if engine.is_none() && key.is_some() {
            rebuilt |= self.refresh(None);
            engine = self.profiles.get(&None).and_then(|p| p.engine.clone());
        }
        Found { engine, rebuilt }
    }

    /// The problems of every profile's last build.
    pub(crate) fn problems(&self) -> impl Iterator<Item = &Diagnostic> {
        self.profiles.values().flat_map(|p| &p.problems)
    }

    /// The configuration files and lexicon paths in use, to watch.
    pub(crate) fn watched(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.lexicon.clone();
        if let ConfigSource::File(p) = &self.source {
            paths.push(p.clone());
        }
        for p in self.profiles.values() {
            if let Some(e) = &p.engine {
                paths.extend(e.config.lexicon.iter().cloned());
            }
        }
        paths
            .into_iter()
            .map(|p| std::path::absolute(&p).unwrap_or(p))
            .collect()
    }

    /// Reads the files of the profile of `key` again and builds it anew if
    /// they changed; true when it did.
    fn refresh(&mut self, key: Option<PathBuf>) -> bool {
        let profile = self.profiles.entry(key.clone()).or_default();
        let shown = key.as_ref().map(|p| p.display().to_string());
        let text = key
            .as_ref()
            .map(|p| std::fs::read_to_string(p).map_err(|e| io_message(&e)));
        let parsed = match (&text, &shown, &key) {
            (Some(Ok(text)), Some(shown), Some(path)) => {
                Config::parse(shown, text, path.parent().unwrap_or(Path::new(".")))
            }
            (Some(Err(e)), Some(shown), _) => Err(vec![Diagnostic::whole(
                shown,
                format!("cannot read config: {e}"),
            )]),
            _ => Ok(Config::default()),
        };
        // A broken configuration keeps the lexicon of the last good one.
        let config = match (&parsed, &profile.engine) {
            (Ok(c), _) => c.clone(),
            (Err(_), Some(e)) => e.config.clone(),
            (Err(_), None) => Config::default(),
        };
        let (layers, unreadable) = setup::read_layers(setup::lexicon_paths(&config, &self.lexicon));
        let inputs = Inputs {
            config: text,
            layers,
            unreadable,
        };
        if profile.inputs.as_ref() == Some(&inputs) {
            return false;
        }
        let mut problems = parsed.as_ref().err().cloned().unwrap_or_default();
        problems.extend(inputs.unreadable.iter().cloned());
        if problems.is_empty() {
            match build(config, self.default_lexicon, inputs.layers.clone()) {
                Ok(engine) => profile.engine = Some(Rc::new(engine)),
                Err(d) => problems = d,
            }
        }
        profile.problems = problems;
        profile.inputs = Some(inputs);
        true
    }
}

fn build(
    config: Config,
    default_lexicon: bool,
    layers: Vec<Vec<LexiconFile>>,
) -> Result<Setup, Vec<Diagnostic>> {
    let source = LexiconSource {
        default: default_lexicon,
        layers,
    };
    let engine = Engine::load(source, config.settings()).map_err(|e| e.diagnostics)?;
    Ok(Setup {
        filter: config.filter(),
        config,
        engine,
    })
}

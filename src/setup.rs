//! How a run finds its configuration and loads its lexicon: the one path
//! that `tifa check` (and every other command) and `tifa lsp` share, so
//! that an editor and the command line report the same findings.
//!
//! Everything here returns data (paths, files, [`Diagnostic`]s); printing
//! is the caller's job.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::lexicon::{Lexicon, LexiconFile, embedded_files, read_path};

/// Where the configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// The nearest `tifa.toml` at or above a folder.
    Discover,
    /// This file (`--config PATH`).
    File(PathBuf),
    /// No configuration at all (`--no-config`).
    Off,
}

impl ConfigSource {
    /// The source chosen by `--config` and `--no-config`.
    pub fn new(config: Option<&Path>, no_config: bool) -> ConfigSource {
        match (config, no_config) {
            (_, true) => ConfigSource::Off,
            (Some(p), false) => ConfigSource::File(p.to_path_buf()),
            (None, false) => ConfigSource::Discover,
        }
    }

    /// The configuration file for a document in folder `start`, if any.
    pub fn path(&self, start: &Path) -> Option<PathBuf> {
        match self {
            ConfigSource::Discover => Config::discover(start),
            ConfigSource::File(p) => Some(p.clone()),
            ConfigSource::Off => None,
        }
    }
}

/// The lexicon paths of a run, in the order their layers apply: the
/// configuration's, then each `--lexicon`.
pub fn lexicon_paths<'a>(config: &'a Config, cli: &'a [PathBuf]) -> Vec<&'a Path> {
    config
        .lexicon
        .iter()
        .chain(cli)
        .map(PathBuf::as_path)
        .collect()
}

/// Reads each path (a file or a folder of `.toml` files) as one layer;
/// returns the layers read and a diagnostic for each path that could not
/// be.
pub fn read_layers<'a>(
    paths: impl IntoIterator<Item = &'a Path>,
) -> (Vec<Vec<LexiconFile>>, Vec<Diagnostic>) {
    let mut layers = Vec::new();
    let mut diags = Vec::new();
    for path in paths {
        let (files, unreadable) = read_path(path);
        if !files.is_empty() {
            layers.push(files);
        }
        diags.extend(unreadable);
    }
    (layers, diags)
}

/// Loads the embedded lexicon (when `default`) under `layers` as
/// [`load_lexicon`] does, but parses and validates the embedded files too
/// (`tifa lexicon validate`), where [`load_lexicon`] takes the entries
/// build.rs digested when there is nothing to merge.
///
/// # Errors
///
/// Every problem of the merged lexicon, located.
pub fn validate_lexicon(
    default: bool,
    layers: impl IntoIterator<Item = Vec<LexiconFile>>,
) -> Result<Lexicon, Vec<Diagnostic>> {
    let all: Vec<Vec<LexiconFile>> = default
        .then(embedded_files)
        .into_iter()
        .chain(layers)
        .collect();
    Lexicon::load(&all)
}

/// Loads the embedded lexicon (when `default`) under `layers`.
///
/// # Errors
///
/// Every problem of the merged lexicon, located.
pub fn load_lexicon(
    default: bool,
    layers: impl IntoIterator<Item = Vec<LexiconFile>>,
) -> Result<Lexicon, Vec<Diagnostic>> {
    let mut layers = layers.into_iter().peekable();
    if default && layers.peek().is_none() {
        // The common case: nothing to merge, nothing to validate again.
        return Lexicon::embedded();
    }
    validate_lexicon(default, layers)
}

//! The config file: UI settings, key bindings and tenants.
//!
//! No file is fine (ssodesk then runs on the embedded demo). A file that does not parse is an
//! error naming the file and the line; secrets are never stored here, only the names of the
//! environment variables that hold them.

mod tenant;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use tenant::{AzureConfig, OktaConfig, ScimConfig, SpConfig, TenantConfig};

/// The whole config file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Load the knowledge base from this folder instead of the embedded one.
    pub kb_dir: Option<PathBuf>,
    /// Theme name (`default`, `light`, `high-contrast`, or a file in the config dir's `themes/`).
    pub theme: Option<String>,
    /// How `y` copies: `auto` (native tool, else OSC 52), `native` or `osc52`.
    pub clipboard: Option<ClipboardMode>,
    /// Capture the mouse (off by default, so the terminal's own text selection works).
    #[serde(default)]
    pub mouse: bool,
    /// Refuse every fix, whatever the tenant says.
    #[serde(default)]
    pub read_only: bool,
    /// Seconds between automatic diagnostics refreshes (never below 15).
    pub refresh_secs: Option<u64>,
    /// Key bindings: action name to one key or a list of keys, e.g. `quit = ["q", "ctrl-q"]`.
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
    /// The customer orgs to diagnose. None: the TUI shows the knowledge base only.
    #[serde(default)]
    pub tenants: Vec<TenantConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ClipboardMode {
    Auto,
    Native,
    Osc52,
}

/// One key (`"q"`) or several (`["q", "ctrl-q"]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

/// A config problem, always naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Parses config text; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: describe_toml_error(text, &e),
        })?;
        config.validate(path)?;
        Ok(config)
    }

    /// Reads and parses the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Loads the config from its usual place. `Ok(None)` when there is no file, which is
    /// normal: ssodesk then runs on its embedded demo.
    pub fn load_default() -> Result<Option<(PathBuf, Config)>, ConfigError> {
        let Some(path) = crate::paths::config_file() else {
            return Ok(None);
        };
        let explicit = std::env::var_os("SSODESK_CONFIG").is_some_and(|p| !p.is_empty());
        match std::fs::metadata(&path) {
            Ok(_) => Self::load(&path).map(|c| Some((path, c))),
            // An explicitly named file that is missing is a mistake worth reporting.
            Err(source) if explicit => Err(ConfigError::Read { path, source }),
            Err(_) => Ok(None),
        }
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let mut seen = std::collections::BTreeSet::new();
        for (i, t) in self.tenants.iter().enumerate() {
            if t.name.trim().is_empty() {
                return Err(invalid(format!("tenants[{i}]: `name` is empty")));
            }
            if !seen.insert(t.name.as_str()) {
                return Err(invalid(format!(
                    "tenant name `{}` appears more than once",
                    t.name
                )));
            }
        }
        Ok(())
    }

    pub fn tenant(&self, name: &str) -> Option<&TenantConfig> {
        self.tenants.iter().find(|t| t.name == name)
    }
}

/// toml's own message already carries the line, column and a caret under the spot; this adds
/// the nearest valid key for an unknown one and names the key whose value has the wrong type.
fn describe_toml_error(text: &str, err: &toml::de::Error) -> String {
    let mut out = err.to_string().trim_end().to_string();
    let msg = err.message();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some((field, tail)) = rest.split_once('`') {
            // "expected one of `a`, `b`": the names sit between backticks.
            let valid: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
            if let Some(best) = nearest(field, &valid) {
                out.push_str(&format!(
                    "\nhelp: `{field}` is not a known key; did you mean `{best}`?"
                ));
            }
        }
    } else if let Some(key) = msg
        .starts_with("invalid type:")
        .then(|| err.span().and_then(|s| key_at(text, s.start)))
        .flatten()
    {
        let expected = msg.rsplit_once("expected ").map_or(msg, |(_, e)| e);
        out.push_str(&format!("\nhelp: `{key}` must be {expected}"));
    }
    out
}

/// The closest candidate within a couple of edits (or one the field is a prefix of).
fn nearest<'a>(field: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let max = (field.chars().count() / 3).clamp(1, 3);
    candidates
        .iter()
        .filter_map(|c| {
            crate::search::text::edit_distance(field, c, max)
                .or_else(|| (c.starts_with(field) && field.len() >= 3).then_some(max))
                .map(|d| (d, *c))
        })
        .min()
        .map(|(_, c)| c)
}

/// The key of the `key = value` line holding byte offset `at`.
fn key_at(text: &str, at: usize) -> Option<String> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty()).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_default() {
        let c = Config::parse("", Path::new("c.toml")).expect("parse");
        assert!(c.tenants.is_empty());
        assert!(!c.mouse);
    }

    #[test]
    fn bad_toml_names_file_and_line() {
        let err = Config::parse("theme = \"light\"\nmouse = maybe\n", Path::new("/x/c.toml"))
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("/x/c.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn unknown_key_suggests_the_nearest_valid_one() {
        let err = Config::parse("mouze = true\n", Path::new("c.toml"))
            .expect_err("unknown")
            .to_string();
        assert!(err.contains("did you mean `mouse`?"), "{err}");
        let err = Config::parse(
            "[[tenants]]\nname = \"x\"\n[tenants.sp]\nurl = \"u\"\norgg = \"x\"\n",
            Path::new("c.toml"),
        )
        .expect_err("unknown")
        .to_string();
        assert!(
            err.contains("line 5") && err.contains("did you mean `org`?"),
            "{err}"
        );
        // Nothing close: no guess.
        let err = Config::parse("zzzzzz = 1\n", Path::new("c.toml"))
            .expect_err("unknown")
            .to_string();
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_key_and_the_expected_type() {
        let err = Config::parse(
            "[[tenants]]\nname = \"x\"\nproduction = \"yes\"\n",
            Path::new("c.toml"),
        )
        .expect_err("type")
        .to_string();
        assert!(err.contains("`production` must be a boolean"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn keys_accept_one_or_many() {
        let c = Config::parse(
            "[keys]\nquit = \"q\"\nopen = [\"enter\", \"l\"]\n",
            Path::new("c.toml"),
        )
        .expect("parse");
        assert_eq!(c.keys["quit"].keys(), vec!["q"]);
        assert_eq!(c.keys["open"].keys(), vec!["enter", "l"]);
    }

    #[test]
    fn duplicate_tenant_names_rejected() {
        let text = r#"
[[tenants]]
name = "acme"
[tenants.sp]
url = "http://127.0.0.1:1"
org = "acme"
token_env = "X"
[[tenants]]
name = "acme"
[tenants.sp]
url = "http://127.0.0.1:1"
org = "acme2"
token_env = "X"
"#;
        let err = Config::parse(text, Path::new("c.toml"))
            .expect_err("dup")
            .to_string();
        assert!(err.contains("more than once"), "{err}");
    }
}

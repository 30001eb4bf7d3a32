//! A credential held in memory. It has no `Serialize`, and its `Debug`/`Display` print a
//! placeholder, so a token cannot reach the screen, a log line, `--json` or panic output by
//! accident: reading it takes an explicit [`Secret::expose`].

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for building an `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_the_value() {
        let s = Secret::new("canary-5f1e2d");
        assert!(!format!("{s:?} {s} {s:#?}").contains("canary"));
        assert_eq!(s.expose(), "canary-5f1e2d");
    }
}

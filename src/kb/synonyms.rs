//! The synonym table (`synonyms.toml`): groups of terms a user may type for the same thing.
//! Kept as data so support staff can extend it without touching code.

use serde::Deserialize;

use crate::sanitize::clean_line;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    group: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    terms: Vec<String>,
}

impl Synonyms {
    /// Parses the table; an error carries the line when toml knows it.
    pub fn parse(text: &str) -> Result<Synonyms, (Option<usize>, String)> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count());
            (line, e.message().trim_end().to_string())
        })?;
        let mut groups = Vec::new();
        for (i, g) in file.group.into_iter().enumerate() {
            let terms: Vec<String> = g
                .terms
                .iter()
                .map(|t| clean_line(t).to_lowercase())
                .filter(|t| !t.is_empty())
                .collect();
            if terms.len() < 2 {
                return Err((None, format!("group {} needs at least two terms", i + 1)));
            }
            groups.push(terms);
        }
        Ok(Synonyms { groups })
    }

    pub fn from_groups(groups: Vec<Vec<String>>) -> Synonyms {
        Synonyms { groups }
    }

    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_lowercased() {
        let s = Synonyms::parse("[[group]]\nterms = [\"Entra\", \"Azure AD\"]\n").expect("ok");
        assert_eq!(
            s.groups(),
            &[vec!["entra".to_string(), "azure ad".to_string()]]
        );
    }

    #[test]
    fn one_term_group_is_an_error() {
        assert!(Synonyms::parse("[[group]]\nterms = [\"x\"]\n").is_err());
    }

    #[test]
    fn bad_toml_has_a_line() {
        let (line, _) = Synonyms::parse("[[group]]\nterms = [\"x\",\n").expect_err("bad");
        assert!(line.is_some());
    }
}

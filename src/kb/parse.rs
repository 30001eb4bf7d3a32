//! One article file: `+++` TOML front matter `+++`, then the Markdown body.

use serde::Deserialize;

use super::{Article, Problem, Topic};
use crate::sanitize::{clean_line, clean_text};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    title: String,
    topic: String,
    #[serde(default)]
    idps: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    checks: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
}

const FENCE: &str = "+++";

pub(super) fn parse_article(file: &str, text: &str) -> Result<Article, Problem> {
    let problem = |line: Option<usize>, message: String| Problem {
        file: file.to_string(),
        line,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some(FENCE) {
        return Err(problem(
            Some(1),
            "missing front matter: the file must start with a `+++` line".to_string(),
        ));
    }
    // Byte offsets of the front matter and of the body.
    let start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = start;
    let mut end = None;
    for line in lines {
        if line.trim_end() == FENCE {
            end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((fm_end, body_start)) = end else {
        return Err(problem(
            Some(1),
            "front matter is not closed: no second `+++` line".to_string(),
        ));
    };
    let front = &text[start..fm_end];
    let body = &text[body_start..];

    let fm: FrontMatter = toml::from_str(front).map_err(|e| {
        // Lines in the front matter start at file line 2.
        let line = e
            .span()
            .map(|s| 2 + front[..s.start.min(front.len())].matches('\n').count());
        problem(
            line.or(Some(1)),
            format!("front matter: {}", e.message().trim_end()),
        )
    })?;

    let id = fm.id.trim().to_string();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(problem(
            key_line(text, "id"),
            format!("id `{}` must be a non-empty slug of a-z, 0-9 and -", fm.id),
        ));
    }
    let Some(topic) = Topic::parse(fm.topic.trim()) else {
        return Err(problem(
            key_line(text, "topic"),
            format!(
                "unknown topic `{}` (expected one of: overview, provisioning, login, workspace)",
                fm.topic
            ),
        ));
    };
    let title = clean_line(&fm.title);
    if title.is_empty() {
        return Err(problem(
            key_line(text, "title"),
            "title is empty".to_string(),
        ));
    }
    let body = clean_text(body).trim().to_string();
    if body.is_empty() {
        return Err(problem(None, "the answer body is empty".to_string()));
    }
    let clean_list = |v: Vec<String>| -> Vec<String> {
        v.iter()
            .map(|s| clean_line(s))
            .filter(|s| !s.is_empty())
            .collect()
    };
    Ok(Article {
        id,
        title,
        topic,
        idps: clean_list(fm.idps)
            .into_iter()
            .map(|s| s.to_lowercase())
            .collect(),
        keywords: clean_list(fm.keywords),
        checks: clean_list(fm.checks),
        sources: clean_list(fm.sources),
        body,
        file: file.to_string(),
    })
}

/// The 1-based line where `key = ...` appears in the front matter, if it does.
pub(super) fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"x-y\"\ntitle = \"How?\"\ntopic = \"login\"\nidps = [\"Okta\"]\nkeywords = [\"a\"]\nchecks = []\nsources = []\n+++\n\nAnswer **here**.\n";

    #[test]
    fn parses_a_good_article() {
        let a = parse_article("x-y.md", GOOD).expect("good");
        assert_eq!(a.id, "x-y");
        assert_eq!(a.topic, Topic::Login);
        assert_eq!(a.idps, vec!["okta"]);
        assert_eq!(a.body, "Answer **here**.");
    }

    #[test]
    fn unknown_topic_names_its_line() {
        let p = parse_article("f.md", &GOOD.replace("\"login\"", "\"billing\"")).expect_err("bad");
        assert_eq!(p.line, Some(4));
        assert!(p.message.contains("billing"));
    }

    #[test]
    fn missing_id_is_reported() {
        let p = parse_article("f.md", &GOOD.replace("id = \"x-y\"\n", "")).expect_err("bad");
        assert!(p.message.contains("id"), "{p}");
    }

    #[test]
    fn malformed_toml_gives_the_file_line() {
        let p = parse_article(
            "f.md",
            &GOOD.replace("keywords = [\"a\"]", "keywords = [\"a\""),
        )
        .expect_err("bad");
        assert!(matches!(p.line, Some(6..=8)), "{p}");
    }

    #[test]
    fn unknown_key_is_rejected() {
        let p =
            parse_article("f.md", &GOOD.replace("checks = []", "checkz = []")).expect_err("bad");
        assert!(p.message.contains("checkz"), "{p}");
        assert_eq!(p.line, Some(7));
    }

    #[test]
    fn missing_fences() {
        assert_eq!(
            parse_article("f.md", "no front matter")
                .expect_err("bad")
                .line,
            Some(1)
        );
        let p = parse_article("f.md", "+++\nid = \"a\"\n").expect_err("bad");
        assert!(p.message.contains("not closed"));
    }

    #[test]
    fn escape_sequences_in_files_are_removed() {
        let a =
            parse_article("f.md", &GOOD.replace("How?", "How\\u001b]0;x\\u0007?")).expect("good");
        assert_eq!(a.title, "How?");
    }
}

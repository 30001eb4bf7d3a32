//! The knowledge base: `faq/*.md` articles plus the synonym table, loaded and validated.
//!
//! Loading never stops at a bad article: each problem is recorded with its file and line, and
//! the other articles load. `ssodesk kb check` prints the problems; the TUI and `search` run on
//! whatever loaded.

mod parse;
pub mod plain;
mod synonyms;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use synonyms::Synonyms;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use embedded::THEME_FILES;

/// The seed FAQ's four sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    Overview,
    Provisioning,
    Login,
    Workspace,
}

impl Topic {
    pub const ALL: [Topic; 4] = [
        Topic::Overview,
        Topic::Provisioning,
        Topic::Login,
        Topic::Workspace,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Overview => "overview",
            Topic::Provisioning => "provisioning",
            Topic::Login => "login",
            Topic::Workspace => "workspace",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One answer. Every text field has been through [`crate::sanitize`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub topic: Topic,
    pub idps: Vec<String>,
    pub keywords: Vec<String>,
    /// Ids of the diagnostics this article explains.
    pub checks: Vec<String>,
    pub sources: Vec<String>,
    /// The Markdown answer, without front matter.
    pub body: String,
    /// Where it came from (`faq/<file>` for the embedded set, else the path).
    #[serde(skip)]
    pub file: String,
}

/// Something wrong with one file, with the line where it is when that is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Where the articles were loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KbSource {
    Embedded,
    Dir(PathBuf),
}

#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    pub articles: Vec<Article>,
    pub synonyms: Synonyms,
    pub problems: Vec<Problem>,
    pub source: KbSource,
}

/// The synonym table's file name inside a KB folder.
pub const SYNONYMS_FILE: &str = "synonyms.toml";

impl KnowledgeBase {
    /// The articles compiled into the binary.
    pub fn embedded() -> KnowledgeBase {
        let files = embedded::FAQ_FILES
            .iter()
            .map(|(name, text)| (format!("faq/{name}"), (*text).to_string()));
        Self::from_files(files, KbSource::Embedded)
    }

    /// Loads every `*.md` and the synonym table from `dir`. Only an unreadable folder is an
    /// error; an unreadable or bad file is a [`Problem`].
    pub fn load_dir(dir: &Path) -> Result<KnowledgeBase, std::io::Error> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "md")
                    || p.file_name().is_some_and(|n| n == SYNONYMS_FILE)
            })
            .collect();
        names.sort();
        let mut problems = Vec::new();
        let mut files = Vec::new();
        for path in names {
            let shown = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push((shown, text)),
                Err(e) => problems.push(Problem {
                    file: shown,
                    line: None,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        let mut kb = Self::from_files(files, KbSource::Dir(dir.to_path_buf()));
        problems.append(&mut kb.problems);
        kb.problems = problems;
        kb.problems
            .sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)));
        Ok(kb)
    }

    /// The embedded KB, or the folder when one is given.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<KnowledgeBase> {
        match dir {
            None => Ok(Self::embedded()),
            Some(d) => Self::load_dir(d).map_err(|e| {
                anyhow::anyhow!("cannot read knowledge base folder {}: {e}", d.display())
            }),
        }
    }

    /// Builds a KB from `(file name, text)` pairs: `*.md` are articles, `synonyms.toml` the
    /// synonym table.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
        source: KbSource,
    ) -> KnowledgeBase {
        let mut articles: Vec<Article> = Vec::new();
        let mut problems = Vec::new();
        let mut synonyms = Synonyms::default();
        let mut first_seen: BTreeMap<String, String> = BTreeMap::new();
        for (file, text) in files {
            if file.ends_with(SYNONYMS_FILE) {
                match Synonyms::parse(&text) {
                    Ok(s) => synonyms = s,
                    Err((line, message)) => problems.push(Problem {
                        file,
                        line,
                        message,
                    }),
                }
                continue;
            }
            match parse::parse_article(&file, &text) {
                Ok(article) => {
                    if let Some(other) = first_seen.get(&article.id) {
                        problems.push(Problem {
                            line: parse::key_line(&text, "id"),
                            message: format!("duplicate id `{}` (also in {other})", article.id),
                            file,
                        });
                        continue;
                    }
                    first_seen.insert(article.id.clone(), file);
                    articles.push(article);
                }
                Err(p) => problems.push(p),
            }
        }
        KnowledgeBase {
            articles,
            synonyms,
            problems,
            source,
        }
    }

    pub fn get(&self, id: &str) -> Option<&Article> {
        self.articles.iter().find(|a| a.id == id)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.articles.iter().position(|a| a.id == id)
    }

    /// Articles worth reading next to `article`: ones it names in its body, then ones that
    /// share its checks, IdPs and topic.
    pub fn related(&self, article: &Article, limit: usize) -> Vec<&Article> {
        let mut scored: Vec<(i32, &Article)> = self
            .articles
            .iter()
            .filter(|other| other.id != article.id)
            .filter_map(|other| {
                let mut score = 0;
                if article.body.contains(&format!("`{}`", other.id)) {
                    score += 10;
                }
                if other.body.contains(&format!("`{}`", article.id)) {
                    score += 4;
                }
                score += 3 * shared(&article.checks, &other.checks);
                score += 2 * shared(&article.idps, &other.idps);
                if article.topic == other.topic {
                    score += 1;
                }
                (score >= 3).then_some((score, other))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.title.cmp(&b.1.title)));
        scored.into_iter().take(limit).map(|(_, a)| a).collect()
    }

    /// Cross-checks the articles against the diagnostics catalog: every check an article names
    /// must exist, and every article a check links to must exist and name that check.
    pub fn link_problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let known: HashSet<&str> = crate::checks::CATALOG.iter().map(|c| c.id).collect();
        for a in &self.articles {
            for c in &a.checks {
                if !known.contains(c.as_str()) {
                    problems.push(Problem {
                        file: a.file.clone(),
                        line: None,
                        message: format!("names check `{c}`, which does not exist"),
                    });
                }
            }
        }
        for check in crate::checks::CATALOG {
            for faq in check.faqs {
                match self.get(faq) {
                    None => problems.push(Problem {
                        file: "checks".to_string(),
                        line: None,
                        message: format!(
                            "check `{}` links to article `{faq}`, which does not exist",
                            check.id
                        ),
                    }),
                    Some(a) if !a.checks.iter().any(|c| c == check.id) => problems.push(Problem {
                        file: a.file.clone(),
                        line: None,
                        message: format!(
                            "check `{}` links here, but `checks` does not name it",
                            check.id
                        ),
                    }),
                    Some(_) => {}
                }
            }
        }
        problems
    }

    /// Every problem `ssodesk kb check` reports.
    pub fn all_problems(&self) -> Vec<Problem> {
        let mut all = self.problems.clone();
        all.extend(self.link_problems());
        all
    }
}

fn shared(a: &[String], b: &[String]) -> i32 {
    a.iter().filter(|x| b.contains(x)).count() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, topic: &str) -> String {
        format!(
            "+++\nid = \"{id}\"\ntitle = \"Title of {id}\"\ntopic = \"{topic}\"\nidps = []\nkeywords = []\nchecks = []\nsources = []\n+++\nBody of {id}.\n"
        )
    }

    #[test]
    fn embedded_kb_loads_clean() {
        let kb = KnowledgeBase::embedded();
        assert!(
            kb.articles.len() >= 20,
            "only {} articles",
            kb.articles.len()
        );
        assert!(kb.problems.is_empty(), "{:?}", kb.problems);
        assert!(kb.link_problems().is_empty(), "{:?}", kb.link_problems());
        assert!(!kb.synonyms.groups().is_empty());
    }

    #[test]
    fn one_bad_article_does_not_stop_the_others() {
        let kb = KnowledgeBase::from_files(
            vec![
                ("a.md".to_string(), article("a", "login")),
                (
                    "b.md".to_string(),
                    "+++\nid = \"b\"\ntitle = \n+++\nx".to_string(),
                ),
                ("c.md".to_string(), article("c", "workspace")),
            ],
            KbSource::Embedded,
        );
        assert_eq!(kb.articles.len(), 2);
        assert_eq!(kb.problems.len(), 1);
        assert_eq!(kb.problems[0].file, "b.md");
        assert_eq!(kb.problems[0].line, Some(3));
    }

    #[test]
    fn duplicate_id_is_reported_with_both_files() {
        let kb = KnowledgeBase::from_files(
            vec![
                ("a.md".to_string(), article("same", "login")),
                ("b.md".to_string(), article("same", "login")),
            ],
            KbSource::Embedded,
        );
        assert_eq!(kb.articles.len(), 1);
        let p = &kb.problems[0];
        assert_eq!(p.file, "b.md");
        assert_eq!(p.line, Some(2));
        assert!(p.message.contains("a.md"), "{p}");
    }

    #[test]
    fn unknown_check_is_a_link_problem() {
        let text = article("a", "login").replace("checks = []", "checks = [\"nope.check\"]");
        let kb = KnowledgeBase::from_files(vec![("a.md".to_string(), text)], KbSource::Embedded);
        let problems = kb.link_problems();
        assert!(
            problems.iter().any(|p| p.message.contains("nope.check")),
            "{problems:?}"
        );
    }
}

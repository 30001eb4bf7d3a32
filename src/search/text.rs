//! Words: splitting text into tokens, stemming, stop words, edit distance.

use rust_stemmers::{Algorithm, Stemmer};

/// One word of a text, with its byte range in the original string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Lowercased surface form.
    pub word: String,
}

/// Splits on anything that is not a letter or digit; lowercases. Byte ranges point into
/// `text`, so highlights can slice the original.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            tokens.push(token(text, s, i));
        }
    }
    if let Some(s) = start {
        tokens.push(token(text, s, text.len()));
    }
    tokens
}

fn token(text: &str, start: usize, end: usize) -> Token {
    Token {
        start,
        end,
        word: text[start..end].to_lowercase(),
    }
}

/// Words that carry no meaning in a question ("how do I ...").
pub fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "a" | "an"
            | "the"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "am"
            | "do"
            | "does"
            | "did"
            | "i"
            | "me"
            | "my"
            | "we"
            | "our"
            | "us"
            | "you"
            | "your"
            | "it"
            | "its"
            | "to"
            | "of"
            | "in"
            | "on"
            | "for"
            | "with"
            | "and"
            | "or"
            | "how"
            | "what"
            | "why"
            | "when"
            | "where"
            | "who"
            | "which"
            | "can"
            | "could"
            | "should"
            | "would"
            | "will"
            | "there"
            | "this"
            | "that"
            | "these"
            | "those"
            | "if"
            | "from"
            | "at"
            | "by"
            | "as"
            | "so"
            | "any"
            | "some"
            | "about"
            | "into"
            | "has"
            | "have"
            | "had"
            | "get"
            | "got"
            | "still"
            | "s"
            | "t"
    )
}

/// English Snowball stemmer with a cache-friendly interface.
pub struct WordStemmer(Stemmer);

impl Default for WordStemmer {
    fn default() -> Self {
        Self(Stemmer::create(Algorithm::English))
    }
}

impl WordStemmer {
    pub fn stem(&self, word: &str) -> String {
        self.0.stem(word).into_owned()
    }
}

/// Damerau-Levenshtein distance (optimal string alignment), giving up above `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut prev2 = vec![0usize; w];
    let mut prev: Vec<usize> = (0..w).collect();
    let mut cur = vec![0usize; w];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// Every string made by deleting one character of `word`.
pub fn deletes(word: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    chars
        .iter()
        .map(|&(i, c)| {
            let mut s = String::with_capacity(word.len());
            s.push_str(&word[..i]);
            s.push_str(&word[i + c.len_utf8()..]);
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_with_byte_ranges() {
        let t = tokenize("Why is Okta's SCIM-tab gone? E0000001");
        let words: Vec<&str> = t.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(
            words,
            ["why", "is", "okta", "s", "scim", "tab", "gone", "e0000001"]
        );
        assert_eq!(&"Why is Okta's"[t[2].start..t[2].end], "Okta");
    }

    #[test]
    fn tokenizes_unicode() {
        let t = tokenize("Zoë 山田");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].word, "zoë");
    }

    #[test]
    fn distance_counts_transpositions_as_one() {
        assert_eq!(edit_distance("provisoning", "provisioning", 2), Some(1));
        assert_eq!(edit_distance("recativate", "reactivate", 2), Some(1));
        assert_eq!(edit_distance("usr", "user", 1), Some(1));
        assert_eq!(edit_distance("okta", "azure", 2), None);
    }

    #[test]
    fn stems_inflections_together() {
        let s = WordStemmer::default();
        assert_eq!(s.stem("provisioning"), s.stem("provisioned"));
        assert_eq!(s.stem("users"), s.stem("user"));
    }

    #[test]
    fn deletes_are_one_shorter() {
        assert_eq!(deletes("abc"), ["bc", "ac", "ab"]);
    }
}

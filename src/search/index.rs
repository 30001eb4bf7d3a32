//! The inverted index, built once per knowledge base.
//!
//! Terms are word stems plus one pseudo-term per synonym group ("this document mentions Entra
//! under any of its names"). Each posting carries a precomputed BM25F weight over the three
//! fields, so a query only adds numbers. Typo and prefix matching run on the vocabulary of
//! surface words (a few thousand entries), never on the documents.

use std::collections::HashMap;

use super::text::{Token, WordStemmer, deletes, tokenize};
use crate::kb::{Article, Synonyms, Topic};

pub(super) type TermId = u32;
pub(super) type WordId = u32;

/// Field weights: a word in the title says more about an article than one in its body.
const W_TITLE: f32 = 3.0;
const W_KEYWORDS: f32 = 2.0;
const W_BODY: f32 = 1.0;
const K1: f32 = 1.2;
const B: [f32; 3] = [0.3, 0.5, 0.75];

/// Only words at least this long get one-delete variants (shorter ones make noise).
pub(super) const MIN_FUZZY_LEN: usize = 3;

pub(super) struct Word {
    pub text: String,
    pub term: TermId,
    /// Synonym groups this word alone is a term of.
    pub groups: Vec<u32>,
}

/// A synonym term as a sequence of stems.
pub(super) struct Phrase {
    pub group: u32,
    pub stems: Vec<TermId>,
}

pub(super) struct Index {
    pub n_docs: usize,
    pub topics: Vec<Topic>,
    pub stemmer: WordStemmer,
    pub terms: HashMap<String, TermId>,
    pub postings: Vec<Vec<(u32, f32)>>,
    pub idf: Vec<f32>,
    pub words: Vec<Word>,
    pub word_ids: HashMap<String, WordId>,
    /// Word ids sorted by text, for prefix ranges.
    pub sorted_words: Vec<WordId>,
    /// One-delete variants of every word, for typo lookup (SymSpell style).
    pub deletes: HashMap<String, Vec<WordId>>,
    /// Words by first character, for subsequence matching.
    pub by_first: HashMap<char, Vec<WordId>>,
    /// Pseudo-term of each synonym group.
    pub group_terms: Vec<TermId>,
    /// Synonym phrases keyed by their first stem.
    pub phrases: HashMap<TermId, Vec<Phrase>>,
    /// Title tokens of each document with their stems, for highlighting.
    pub titles: Vec<Vec<(Token, TermId)>>,
    pub title_text: Vec<String>,
}

struct Builder {
    index: Index,
}

impl Builder {
    fn term(&mut self, key: &str) -> TermId {
        if let Some(&t) = self.index.terms.get(key) {
            return t;
        }
        let t = self.index.postings.len() as TermId;
        self.index.terms.insert(key.to_string(), t);
        self.index.postings.push(Vec::new());
        t
    }

    /// The word's id, adding it (and its stem) to the vocabulary on first sight.
    fn word(&mut self, word: &str) -> WordId {
        if let Some(&w) = self.index.word_ids.get(word) {
            return w;
        }
        let stem = self.index.stemmer.stem(word);
        let term = self.term(&stem);
        let id = self.index.words.len() as WordId;
        self.index.words.push(Word {
            text: word.to_string(),
            term,
            groups: Vec::new(),
        });
        self.index.word_ids.insert(word.to_string(), id);
        id
    }

    fn stems_of(&mut self, tokens: &[Token]) -> Vec<TermId> {
        tokens
            .iter()
            .map(|t| {
                let w = self.word(&t.word);
                self.index.words[w as usize].term
            })
            .collect()
    }
}

impl Index {
    pub fn build(articles: &[Article], synonyms: &Synonyms) -> Index {
        let mut b = Builder {
            index: Index {
                n_docs: articles.len(),
                topics: articles.iter().map(|a| a.topic).collect(),
                stemmer: WordStemmer::default(),
                terms: HashMap::new(),
                postings: Vec::new(),
                idf: Vec::new(),
                words: Vec::new(),
                word_ids: HashMap::new(),
                sorted_words: Vec::new(),
                deletes: HashMap::new(),
                by_first: HashMap::new(),
                group_terms: Vec::new(),
                phrases: HashMap::new(),
                titles: Vec::new(),
                title_text: articles.iter().map(|a| a.title.clone()).collect(),
            },
        };

        // Synonym groups first: their words join the vocabulary even if no article uses them,
        // so a query can reach a group through any of its names.
        for (g, terms) in synonyms.groups().iter().enumerate() {
            let g = g as u32;
            let pseudo = b.term(&format!("\u{1}syn{g}"));
            b.index.group_terms.push(pseudo);
            for term in terms {
                let tokens = tokenize(term);
                if tokens.is_empty() {
                    continue;
                }
                if tokens.len() == 1 {
                    let w = b.word(&tokens[0].word);
                    let groups = &mut b.index.words[w as usize].groups;
                    if !groups.contains(&g) {
                        groups.push(g);
                    }
                }
                let stems = b.stems_of(&tokens);
                b.index
                    .phrases
                    .entry(stems[0])
                    .or_default()
                    .push(Phrase { group: g, stems });
            }
        }

        // Term frequencies per field, then BM25F weights once lengths are known.
        // Per article: term frequencies per field, and the fields' lengths.
        type DocCounts = (HashMap<TermId, [u16; 3]>, [usize; 3]);
        let mut per_doc: Vec<DocCounts> = Vec::with_capacity(articles.len());
        for a in articles {
            let title_tokens = tokenize(&a.title);
            let mut kw_text = a.keywords.join(" ; ");
            for extra in a.idps.iter().map(String::as_str).chain([a.topic.as_str()]) {
                kw_text.push_str(" ; ");
                kw_text.push_str(extra);
            }
            let fields = [title_tokens.clone(), tokenize(&kw_text), tokenize(&a.body)];
            let mut tf: HashMap<TermId, [u16; 3]> = HashMap::new();
            let mut lens = [0usize; 3];
            for (f, tokens) in fields.iter().enumerate() {
                let stems = b.stems_of(tokens);
                lens[f] = stems.len();
                for &s in &stems {
                    let e = tf.entry(s).or_default();
                    e[f] = e[f].saturating_add(1);
                }
                for g in b.index.groups_in(&stems) {
                    let e = tf.entry(b.index.group_terms[g as usize]).or_default();
                    e[f] = e[f].saturating_add(1);
                }
            }
            let title_stems = b.stems_of(&title_tokens);
            b.index
                .titles
                .push(title_tokens.into_iter().zip(title_stems).collect());
            per_doc.push((tf, lens));
        }

        let n = articles.len().max(1) as f32;
        let mut avg = [0f32; 3];
        for (_, lens) in &per_doc {
            for f in 0..3 {
                avg[f] += lens[f] as f32;
            }
        }
        for a in &mut avg {
            *a = (*a / n).max(1.0);
        }
        let weights = [W_TITLE, W_KEYWORDS, W_BODY];
        for (doc, (tf, lens)) in per_doc.into_iter().enumerate() {
            for (term, counts) in tf {
                let mut w = 0.0;
                for f in 0..3 {
                    let c = f32::from(counts[f]);
                    if c > 0.0 {
                        let norm = 1.0 - B[f] + B[f] * lens[f] as f32 / avg[f];
                        w += weights[f] * c * (K1 + 1.0) / (c + K1 * norm);
                    }
                }
                b.index.postings[term as usize].push((doc as u32, w));
            }
        }
        let idf = b
            .index
            .postings
            .iter()
            .map(|p| {
                let df = p.len() as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        b.index.idf = idf;

        let mut index = b.index;
        index.sorted_words = (0..index.words.len() as WordId).collect();
        index.sorted_words.sort_by(|&x, &y| {
            index.words[x as usize]
                .text
                .cmp(&index.words[y as usize].text)
        });
        for (id, w) in index.words.iter().enumerate() {
            let id = id as WordId;
            if let Some(c) = w.text.chars().next() {
                index.by_first.entry(c).or_default().push(id);
            }
            if w.text.chars().count() > MIN_FUZZY_LEN {
                for d in deletes(&w.text) {
                    index.deletes.entry(d).or_default().push(id);
                }
            }
        }
        index
    }

    /// Synonym groups whose phrases occur in a stem sequence.
    pub fn groups_in(&self, stems: &[TermId]) -> Vec<u32> {
        let mut found = Vec::new();
        for (_, _, g) in self.phrase_spans(stems) {
            if !found.contains(&g) {
                found.push(g);
            }
        }
        found
    }

    /// Every `(start, len, group)` where a synonym phrase occurs in `stems`.
    pub fn phrase_spans(&self, stems: &[TermId]) -> Vec<(usize, usize, u32)> {
        let mut spans = Vec::new();
        for i in 0..stems.len() {
            if let Some(phrases) = self.phrases.get(&stems[i]) {
                for p in phrases {
                    if stems[i..].starts_with(&p.stems) {
                        spans.push((i, p.stems.len(), p.group));
                    }
                }
            }
        }
        spans
    }

    pub fn df(&self, term: TermId) -> usize {
        self.postings.get(term as usize).map_or(0, Vec::len)
    }
}

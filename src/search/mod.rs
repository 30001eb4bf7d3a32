//! Search over the knowledge base: typo-tolerant, prefix-aware, synonym-aware, field-weighted.
//!
//! A query becomes a list of *concepts* (a word, or a synonym phrase such as "azure ad"). Each
//! concept expands, on the vocabulary only, into weighted alternative terms: the exact stem,
//! words it is a prefix of (typing), words one or two edits away (typos), words it is a
//! subsequence of (fuzzy-matcher, for abbreviations such as "usr"), and the synonym groups
//! of all of these. An article's score is the sum over concepts of its best alternative's
//! BM25F weight, scaled by the share of concepts it matches.

mod index;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::Serialize;

use crate::kb::{KnowledgeBase, Topic};
use index::{Index, MIN_FUZZY_LEN, TermId, WordId};
use text::{deletes, edit_distance, is_stop_word, tokenize};

/// One ranked answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Index into `KnowledgeBase::articles`.
    pub index: usize,
    pub score: f32,
    /// Byte ranges of the title that matched, sorted and disjoint.
    pub title_ranges: Vec<Range<usize>>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SearchOptions {
    pub limit: usize,
    /// Only articles of this topic.
    pub topic: Option<Topic>,
}

/// Weights of the ways a query word can reach a term.
const EXACT: f32 = 1.0;
const PREFIX_TYPING: f32 = 0.9;
const PREFIX: f32 = 0.7;
const TYPO_1: f32 = 0.7;
const TYPO_2: f32 = 0.5;
const SUBSEQUENCE: f32 = 0.55;
const SYNONYM: f32 = 0.9;
/// Added per query concept found in an article's title: what the list shows is what a
/// person judges by, so a title that holds every typed word beats one that holds fewer,
/// even when those words are common across the knowledge base.
const TITLE_BONUS: f32 = 1.5;
/// Answers scoring under this share of the best one are left out.
const RELATIVE_FLOOR: f32 = 0.2;
/// Caps on vocabulary expansions per query word.
const MAX_PREFIX: usize = 40;
const MAX_FUZZY: usize = 20;
/// Longer words are matched exactly or by prefix only: typo matching costs grow with length,
/// and nobody mistypes a 40-letter word.
const MAX_FUZZY_WORD: usize = 24;
/// Words of a query beyond this are ignored (a pasted paragraph is not a question).
const MAX_QUERY_WORDS: usize = 24;

/// How a title word matched, for highlighting.
#[derive(Debug, Clone)]
enum How {
    Whole,
    /// The first n bytes of the word.
    Prefix(usize),
    /// Fuzzy subsequence of the query word.
    Subsequence(String),
}

/// One way a query word reaches a term.
#[derive(Debug, Clone, Copy)]
struct Alt {
    weight: f32,
    /// Reached by the word as typed (or a synonym of it), not by a prefix or a typo.
    exact: bool,
}

struct Concept {
    alts: HashMap<TermId, Alt>,
}

/// What a query matched in the vocabulary, kept for highlighting.
#[derive(Default)]
struct Matched {
    words: HashMap<WordId, How>,
    terms: HashSet<TermId>,
    groups: HashSet<u32>,
}

pub struct SearchEngine {
    index: Index,
    matcher: SkimMatcherV2,
    /// Articles in the order an empty query lists them: by topic, then title.
    browse_order: Vec<usize>,
}

impl SearchEngine {
    pub fn new(kb: &KnowledgeBase) -> SearchEngine {
        let mut browse_order: Vec<usize> = (0..kb.articles.len()).collect();
        browse_order.sort_by(|&a, &b| {
            let (a, b) = (&kb.articles[a], &kb.articles[b]);
            a.topic.cmp(&b.topic).then_with(|| a.title.cmp(&b.title))
        });
        SearchEngine {
            index: Index::build(&kb.articles, &kb.synonyms),
            matcher: SkimMatcherV2::default(),
            browse_order,
        }
    }

    /// Best answers first. An empty query lists every article by topic.
    pub fn search(&self, query: &str, opts: SearchOptions) -> Vec<Hit> {
        let limit = if opts.limit == 0 {
            usize::MAX
        } else {
            opts.limit
        };
        let topic_ok = |doc: usize| opts.topic.is_none_or(|t| self.index.topics[doc] == t);
        let typing = !query.ends_with(char::is_whitespace);
        let (concepts, matched) = self.concepts(query, typing);
        if concepts.is_empty() {
            return self
                .browse_order
                .iter()
                .copied()
                .filter(|&d| topic_ok(d))
                .take(limit)
                .map(|index| Hit {
                    index,
                    score: 0.0,
                    title_ranges: Vec::new(),
                })
                .collect();
        }

        let n = self.index.n_docs;
        let mut total = vec![0f32; n];
        let mut count = vec![0u16; n];
        let mut best = vec![0f32; n];
        let mut best_title = vec![0f32; n];
        let mut touched: Vec<usize> = Vec::new();
        // Docs seen for the current concept, stamped with the concept's number (no clearing).
        let mut seen = vec![u32::MAX; n];
        for (ci, concept) in concepts.iter().enumerate() {
            // A prefix or a typo says "some word like this": as informative as all such words
            // together, so a rare completion ("prov" -> "provider") cannot outweigh the common
            // one the person is typing ("provisioning").
            let mut union_idf = f32::INFINITY;
            if concept.alts.values().any(|a| !a.exact) {
                let mut df = 0usize;
                for &term in concept.alts.keys() {
                    for p in &self.index.postings[term as usize] {
                        if seen[p.doc as usize] != ci as u32 {
                            seen[p.doc as usize] = ci as u32;
                            df += 1;
                        }
                    }
                }
                union_idf = self.index.idf_for_df(df);
            }
            for (&term, alt) in &concept.alts {
                let mut idf = self.index.idf[term as usize];
                if !alt.exact {
                    idf = idf.min(union_idf);
                }
                for p in &self.index.postings[term as usize] {
                    let doc = p.doc as usize;
                    let s = alt.weight * idf * p.weight;
                    if best[doc] == 0.0 {
                        touched.push(doc);
                    }
                    if s > best[doc] {
                        best[doc] = s;
                    }
                    if p.in_title && alt.weight > best_title[doc] {
                        best_title[doc] = alt.weight;
                    }
                }
            }
            for &doc in &touched {
                total[doc] += best[doc] + TITLE_BONUS * best_title[doc];
                count[doc] += 1;
                best[doc] = 0.0;
                best_title[doc] = 0.0;
            }
            touched.clear();
        }

        let k = concepts.len() as f32;
        let mut ranked: Vec<(f32, usize)> = (0..n)
            .filter(|&d| count[d] > 0 && topic_ok(d))
            .map(|d| {
                let coverage = f32::from(count[d]) / k;
                (total[d] * coverage * coverage, d)
            })
            .collect();
        let by_score = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit - 1, by_score);
            ranked.truncate(limit);
        }
        ranked.sort_by(by_score);
        // A long tail of articles that share one common word with the query is noise in a
        // list a person scans: keep what scores within reach of the best answer.
        let floor = ranked.first().map_or(0.0, |b| b.0 * RELATIVE_FLOOR);
        ranked
            .into_iter()
            .take_while(|(score, _)| *score >= floor)
            .map(|(score, index)| Hit {
                index,
                score,
                title_ranges: self.title_ranges(index, &matched),
            })
            .collect()
    }

    /// For tuning: each concept's best-scoring term in one article, as `(term, score)`.
    #[doc(hidden)]
    pub fn explain(&self, query: &str, doc: usize) -> Vec<Option<(String, f32)>> {
        let (concepts, _) = self.concepts(query, !query.ends_with(' '));
        let name = |t: TermId| {
            self.index
                .terms
                .iter()
                .find(|(_, v)| **v == t)
                .map(|(k, _)| k.replace('\u{1}', "#"))
                .unwrap_or_default()
        };
        concepts
            .iter()
            .map(|c| {
                c.alts
                    .iter()
                    .filter_map(|(&t, alt)| {
                        self.index.postings[t as usize]
                            .iter()
                            .find(|p| p.doc as usize == doc)
                            .map(|p| (t, alt.weight * self.index.idf[t as usize] * p.weight))
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(t, s)| (name(t), s))
            })
            .collect()
    }

    /// Splits the query into concepts and expands each over the vocabulary.
    fn concepts(&self, query: &str, typing: bool) -> (Vec<Concept>, Matched) {
        let ix = &self.index;
        let mut tokens = tokenize(query);
        tokens.truncate(MAX_QUERY_WORDS);
        if tokens.iter().any(|t| !is_stop_word(&t.word)) {
            let last = tokens.last().map(|t| t.start);
            // A stop word still being typed may be the start of a real word ("th" -> "then").
            tokens.retain(|t| !is_stop_word(&t.word) || (typing && Some(t.start) == last));
        }
        let stems: Vec<Option<TermId>> = tokens
            .iter()
            .map(|t| ix.terms.get(&ix.stemmer.stem(&t.word)).copied())
            .collect();

        let mut matched = Matched::default();
        let mut concepts = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            // The longest synonym phrase starting here becomes one concept.
            if let Some((len, groups)) = self.phrase_at(&stems[i..]) {
                let mut alts = HashMap::new();
                for g in groups {
                    matched.groups.insert(g);
                    alts.insert(
                        ix.group_terms[g as usize],
                        Alt {
                            weight: EXACT,
                            exact: true,
                        },
                    );
                }
                for s in stems[i..i + len].iter().flatten() {
                    matched.terms.insert(*s);
                }
                // A one-word phrase keeps its own expansions (prefix while typing etc.).
                if len == 1 {
                    let last = typing && i + 1 == tokens.len();
                    self.expand(&tokens[i].word, last, &mut alts, &mut matched);
                }
                concepts.push(Concept { alts });
                i += len;
                continue;
            }
            // A word found nowhere still counts as a concept (with no alternatives), so
            // articles are ranked by how much of the query they cover.
            let mut alts = HashMap::new();
            let last = typing && i + 1 == tokens.len();
            self.expand(&tokens[i].word, last, &mut alts, &mut matched);
            concepts.push(Concept { alts });
            i += 1;
        }
        (concepts, matched)
    }

    /// The longest synonym phrase at the start of `stems`, with every group it belongs to.
    fn phrase_at(&self, stems: &[Option<TermId>]) -> Option<(usize, Vec<u32>)> {
        let first = stems.first().copied().flatten()?;
        let phrases = self.index.phrases.get(&first)?;
        let mut best: Option<(usize, Vec<u32>)> = None;
        for p in phrases {
            let fits = p.stems.len() <= stems.len()
                && p.stems.iter().zip(stems).all(|(a, b)| Some(*a) == *b);
            if !fits {
                continue;
            }
            match &mut best {
                Some((len, groups)) if *len == p.stems.len() => {
                    if !groups.contains(&p.group) {
                        groups.push(p.group);
                    }
                }
                Some((len, _)) if *len > p.stems.len() => {}
                _ => best = Some((p.stems.len(), vec![p.group])),
            }
        }
        best
    }

    /// Adds the terms a query word can mean, with their weights.
    fn expand(&self, word: &str, typing: bool, alts: &mut HashMap<TermId, Alt>, m: &mut Matched) {
        let ix = &self.index;
        let add =
            |alts: &mut HashMap<TermId, Alt>, m: &mut Matched, w: WordId, weight: f32, how: How| {
                let entry = &ix.words[w as usize];
                let exact = matches!(how, How::Whole) && weight >= EXACT;
                bump(alts, entry.term, weight, exact);
                for &g in &entry.groups {
                    bump(alts, ix.group_terms[g as usize], weight * SYNONYM, exact);
                    m.groups.insert(g);
                }
                m.words.entry(w).or_insert(how);
            };

        let stem = ix.stemmer.stem(word);
        let exact_stem = ix.terms.get(&stem).copied().filter(|&t| ix.df(t) > 0);
        if let Some(t) = exact_stem {
            bump(alts, t, EXACT, true);
            m.terms.insert(t);
        }
        if let Some(&w) = ix.word_ids.get(word) {
            add(alts, m, w, EXACT, How::Whole);
        }

        // Prefixes: the word being typed, or an abbreviation typed on purpose ("prov").
        let len = word.chars().count();
        let mut completes = false;
        if typing || len >= 3 {
            let start = ix
                .sorted_words
                .partition_point(|&w| ix.words[w as usize].text.as_str() < word);
            let mut found: Vec<WordId> = ix.sorted_words[start..]
                .iter()
                .copied()
                .take_while(|&w| ix.words[w as usize].text.starts_with(word))
                .filter(|&w| ix.words[w as usize].text.len() > word.len())
                .collect();
            found.sort_by_key(|&w| std::cmp::Reverse(ix.df(ix.words[w as usize].term)));
            let weight = if typing { PREFIX_TYPING } else { PREFIX };
            completes = found.iter().any(|&w| ix.df(ix.words[w as usize].term) > 0);
            for w in found.into_iter().take(MAX_PREFIX) {
                add(alts, m, w, weight, How::Prefix(word.len()));
            }
        }

        // Typos and abbreviations only for words the articles neither contain nor complete:
        // a word that is the start of real words is being typed, not mistyped.
        if exact_stem.is_some() || completes || !(MIN_FUZZY_LEN..=MAX_FUZZY_WORD).contains(&len) {
            return;
        }
        let max_edits = if len >= 8 { 2 } else { 1 };
        let mut fuzzy: HashMap<WordId, usize> = HashMap::new();
        let mut consider = |w: WordId| {
            if fuzzy.contains_key(&w) {
                return;
            }
            if let Some(d) = edit_distance(word, &ix.words[w as usize].text, max_edits) {
                fuzzy.insert(w, d);
            }
        };
        let mut variants = vec![word.to_string()];
        variants.extend(deletes(word));
        if max_edits == 2 {
            let more: Vec<String> = variants[1..].iter().flat_map(|v| deletes(v)).collect();
            variants.extend(more);
        }
        for v in &variants {
            if let Some(&w) = ix.word_ids.get(v) {
                consider(w);
            }
            if let Some(ws) = ix.deletes.get(v) {
                ws.iter().for_each(|&w| consider(w));
            }
        }
        let mut fuzzy: Vec<(WordId, usize)> = fuzzy.into_iter().collect();
        fuzzy.sort_by_key(|&(w, d)| (d, std::cmp::Reverse(ix.df(ix.words[w as usize].term))));
        for (w, d) in fuzzy.into_iter().take(MAX_FUZZY) {
            add(alts, m, w, if d <= 1 { TYPO_1 } else { TYPO_2 }, How::Whole);
        }

        // Subsequences ("usr" in "user", "rective" in "reactivate"), scored by fuzzy-matcher
        // after a cheap filter on first letter and length.
        let Some(first) = word.chars().next() else {
            return;
        };
        let mut subs: Vec<(i64, WordId)> = ix
            .by_first
            .get(&first)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&w| {
                let t = &ix.words[w as usize].text;
                let tl = t.chars().count();
                tl > len && tl <= 2 * len + 3 && is_subsequence(word, t)
            })
            .filter_map(|w| {
                self.matcher
                    .fuzzy_match(&ix.words[w as usize].text, word)
                    .map(|s| (s, w))
            })
            .collect();
        subs.sort_by_key(|&(score, _)| std::cmp::Reverse(score));
        for (_, w) in subs.into_iter().take(MAX_FUZZY) {
            let tl = ix.words[w as usize].text.chars().count() as f32;
            let weight = SUBSEQUENCE * (len as f32 / tl).sqrt();
            add(alts, m, w, weight, How::Subsequence(word.to_string()));
        }
    }

    /// Byte ranges of an article's title that the query matched.
    fn title_ranges(&self, doc: usize, m: &Matched) -> Vec<Range<usize>> {
        let title = &self.index.titles[doc];
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for (tok, stem) in title {
            let how = self
                .index
                .word_ids
                .get(&tok.word)
                .and_then(|w| m.words.get(w))
                .cloned()
                .or_else(|| m.terms.contains(stem).then_some(How::Whole));
            match how {
                Some(How::Whole) => ranges.push(tok.start..tok.end),
                Some(How::Prefix(n)) => {
                    // The lowercased word may differ in length from the title's bytes.
                    let text = &self.index.title_text[doc];
                    let end = ((tok.start + n).min(tok.end)..=tok.end)
                        .find(|&e| text.is_char_boundary(e))
                        .unwrap_or(tok.end);
                    ranges.push(tok.start..end);
                }
                Some(How::Subsequence(q)) => {
                    if let Some((_, idx)) = self.matcher.fuzzy_indices(&tok.word, &q) {
                        let chars: Vec<(usize, char)> = tok.word.char_indices().collect();
                        for ci in idx {
                            if let Some(&(b, c)) = chars.get(ci) {
                                // Same offsets in the title when lowercasing kept lengths.
                                if tok.word.len() == tok.end - tok.start {
                                    ranges.push(tok.start + b..tok.start + b + c.len_utf8());
                                }
                            }
                        }
                    }
                }
                None => {}
            }
        }
        if !m.groups.is_empty() {
            let stems: Vec<TermId> = title.iter().map(|(_, s)| *s).collect();
            for (start, len, g) in self.index.phrase_spans(&stems) {
                if m.groups.contains(&g) {
                    ranges.push(title[start].0.start..title[start + len - 1].0.end);
                }
            }
        }
        merge(ranges)
    }
}

fn bump(alts: &mut HashMap<TermId, Alt>, term: TermId, weight: f32, exact: bool) {
    let e = alts.entry(term).or_insert(Alt {
        weight: 0.0,
        exact: false,
    });
    e.weight = e.weight.max(weight);
    e.exact |= exact;
}

fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut it = hay.chars();
    needle.chars().all(|c| it.any(|h| h == c))
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests;

//! Relevance of the shipped knowledge base's search: realistic queries (typos, half-typed
//! words, paraphrases, other names for the same thing) with the article that must come first.
//! Prints top-1 and top-3 and fails below the floors.

use serde::Deserialize;
use ssodesk::kb::KnowledgeBase;
use ssodesk::search::{SearchEngine, SearchOptions};

/// Floors, as shares of all cases.
const TOP1_FLOOR: f64 = 0.85;
const TOP3_FLOOR: f64 = 0.95;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    query: String,
    expect: String,
    #[serde(default)]
    style: String,
}

#[test]
fn relevance_meets_the_floor() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/relevance.toml"))
            .expect("tests/relevance.toml is readable");
    let cases: Cases = toml::from_str(&text).expect("tests/relevance.toml parses");
    let kb = KnowledgeBase::embedded();
    let engine = SearchEngine::new(&kb);
    assert!(cases.case.len() >= 40, "need at least 40 cases");

    let (mut top1, mut top3) = (0usize, 0usize);
    let mut misses = Vec::new();
    for c in &cases.case {
        assert!(
            kb.get(&c.expect).is_some(),
            "unknown article `{}`",
            c.expect
        );
        let hits = engine.search(
            &c.query,
            SearchOptions {
                limit: 3,
                topic: None,
            },
        );
        let ids: Vec<&str> = hits
            .iter()
            .map(|h| kb.articles[h.index].id.as_str())
            .collect();
        match ids.iter().position(|id| *id == c.expect) {
            Some(0) => {
                top1 += 1;
                top3 += 1;
            }
            Some(_) => {
                top3 += 1;
                misses.push(format!("  top3 [{}] {:?} -> {:?}", c.style, c.query, ids));
            }
            None => misses.push(format!(
                "  MISS [{}] {:?} -> {:?} (want {})",
                c.style, c.query, ids, c.expect
            )),
        }
    }
    let n = cases.case.len() as f64;
    let (r1, r3) = (top1 as f64 / n, top3 as f64 / n);
    println!(
        "relevance over {} queries: top-1 {:.1}% ({top1}), top-3 {:.1}% ({top3})",
        cases.case.len(),
        r1 * 100.0,
        r3 * 100.0
    );
    for m in &misses {
        println!("{m}");
    }
    assert!(r1 >= TOP1_FLOOR, "top-1 {r1:.3} below floor {TOP1_FLOOR}");
    assert!(r3 >= TOP3_FLOOR, "top-3 {r3:.3} below floor {TOP3_FLOOR}");
}

//! Shows why articles rank where they do: `cargo run --example explain -- "query"`.
use ssodesk::kb::KnowledgeBase;
use ssodesk::search::{SearchEngine, SearchOptions};

fn main() {
    let query = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let kb = KnowledgeBase::embedded();
    let engine = SearchEngine::new(&kb);
    for hit in engine.search(
        &query,
        SearchOptions {
            limit: 6,
            topic: None,
        },
    ) {
        let a = &kb.articles[hit.index];
        println!("{:7.3}  {}", hit.score, a.id);
        for (i, part) in engine.explain(&query, hit.index).into_iter().enumerate() {
            match part {
                Some((term, s)) => println!("           concept {i}: {term} {s:.3}"),
                None => println!("           concept {i}: -"),
            }
        }
    }
}

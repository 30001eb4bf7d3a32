//! Property tests over untrusted inputs of the knowledge base and search: arbitrary front
//! matter, Markdown and queries never panic, and what comes out is clean.

use proptest::prelude::*;
use ssodesk::kb::{KbSource, KnowledgeBase, plain};
use ssodesk::sanitize::is_clean;
use ssodesk::search::{SearchEngine, SearchOptions};

/// Text biased towards the characters that break parsers and terminals.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("+++\n".to_string()),
        Just("id = \"a\"\n".to_string()),
        Just("topic = \"login\"\n".to_string()),
        Just("title = \"T\"\n".to_string()),
        Just("\u{1b}[31m".to_string()),
        Just("\u{1b}]0;x\u{7}".to_string()),
        Just("\u{9b}2J".to_string()),
        Just("\u{202e}".to_string()),
        Just("- [x](http://a)\n".to_string()),
        Just("```\ncode\n".to_string()),
        Just("1. step\n   - nested\n".to_string()),
        Just("**b** _i_ `c`".to_string()),
        "[\\PC]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn articles_never_panic_and_load_clean(body in nasty(), front in nasty()) {
        let text = format!("+++\nid = \"x\"\ntitle = \"X\"\ntopic = \"login\"\n{front}\n+++\n{body}");
        let kb = KnowledgeBase::from_files(
            vec![("x.md".to_string(), text), ("y.md".to_string(), body.clone())],
            KbSource::Embedded,
        );
        for p in &kb.problems {
            prop_assert!(p.file == "x.md" || p.file == "y.md");
        }
        for a in &kb.articles {
            prop_assert!(is_clean(&a.title) && is_clean(&a.body));
            prop_assert!(is_clean(&plain::to_plain(&a.body)));
        }
    }

    #[test]
    fn markdown_to_plain_never_panics(md in nasty()) {
        let _ = plain::to_plain(&md);
    }

    #[test]
    fn config_parse_never_panics(text in nasty()) {
        let _ = ssodesk::config::Config::parse(&text, std::path::Path::new("c.toml"));
    }

    #[test]
    fn search_never_panics_and_ranges_slice_titles(q in nasty()) {
        let (kb, engine) = shipped();
        for hit in engine.search(&q, SearchOptions { limit: 10, topic: None }) {
            let title = &kb.articles[hit.index].title;
            for r in &hit.title_ranges {
                prop_assert!(title.get(r.clone()).is_some(), "{r:?} not on char boundaries of {title:?}");
            }
        }
    }
}

fn shipped() -> &'static (KnowledgeBase, SearchEngine) {
    static KB: std::sync::OnceLock<(KnowledgeBase, SearchEngine)> = std::sync::OnceLock::new();
    KB.get_or_init(|| {
        let kb = KnowledgeBase::embedded();
        let engine = SearchEngine::new(&kb);
        (kb, engine)
    })
}

use super::*;
use crate::kb::{KbSource, KnowledgeBase, Synonyms};

fn kb() -> KnowledgeBase {
    let art = |id: &str, title: &str, topic: &str, kw: &str, body: &str| {
        (
            format!("{id}.md"),
            format!(
                "+++\nid = \"{id}\"\ntitle = \"{title}\"\ntopic = \"{topic}\"\nkeywords = [{kw}]\n+++\n{body}\n"
            ),
        )
    };
    let mut kb = KnowledgeBase::from_files(
        vec![
            art(
                "reactivate",
                "How do I reactivate a deactivated user?",
                "provisioning",
                "\"restore account\"",
                "Add the user back to any team.",
            ),
            art(
                "okta-tab",
                "Why is the Provisioning tab missing in Okta?",
                "provisioning",
                "\"lifecycle management\"",
                "Okta needs Lifecycle Management for SCIM.",
            ),
            art(
                "azure-interval",
                "How often does Azure AD provision users?",
                "provisioning",
                "\"40 minutes\"",
                "Entra runs a cycle about every 40 minutes.",
            ),
            art(
                "workspace",
                "What are the rules for a workspace name?",
                "workspace",
                "\"naming\"",
                "Lowercase, at most 63 characters.",
            ),
        ],
        KbSource::Embedded,
    );
    kb.synonyms = Synonyms::from_groups(vec![
        vec!["entra".into(), "azure ad".into(), "aad".into()],
        vec!["deactivated".into(), "disabled".into()],
    ]);
    assert!(kb.problems.is_empty(), "{:?}", kb.problems);
    kb
}

fn top(engine: &SearchEngine, kb: &KnowledgeBase, q: &str) -> String {
    let hits = engine.search(
        q,
        SearchOptions {
            limit: 3,
            topic: None,
        },
    );
    hits.first()
        .map(|h| kb.articles[h.index].id.clone())
        .unwrap_or_default()
}

#[test]
fn exact_words_rank_the_right_article_first() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    assert_eq!(top(&e, &kb, "provisioning tab okta"), "okta-tab");
    assert_eq!(top(&e, &kb, "workspace name"), "workspace");
}

#[test]
fn typos_still_find_the_answer() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    assert_eq!(top(&e, &kb, "provisoning tab"), "okta-tab");
    assert_eq!(top(&e, &kb, "rective usr"), "reactivate");
    assert_eq!(top(&e, &kb, "worksapce"), "workspace");
}

#[test]
fn prefixes_match_while_typing() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    assert_eq!(top(&e, &kb, "reac"), "reactivate");
    assert_eq!(top(&e, &kb, "lifecy"), "okta-tab");
}

#[test]
fn synonyms_bridge_names() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    // The title says "Azure AD", the query says "entra".
    assert_eq!(top(&e, &kb, "entra"), "azure-interval");
    assert_eq!(top(&e, &kb, "disabled user"), "reactivate");
}

#[test]
fn title_ranges_point_at_matched_words() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    let hits = e.search("okta prov", SearchOptions::default());
    let hit = &hits[0];
    let title = &kb.articles[hit.index].title;
    let shown: Vec<&str> = hit.title_ranges.iter().map(|r| &title[r.clone()]).collect();
    assert_eq!(shown, ["Prov", "Okta"]);
}

#[test]
fn empty_query_lists_everything_by_topic() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    let hits = e.search("", SearchOptions::default());
    assert_eq!(hits.len(), 4);
    assert_eq!(kb.articles[hits[0].index].topic, Topic::Provisioning);
    assert_eq!(kb.articles[hits[3].index].id, "workspace");
}

#[test]
fn topic_filter_and_limit_apply() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    let hits = e.search(
        "name",
        SearchOptions {
            limit: 1,
            topic: Some(Topic::Workspace),
        },
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(kb.articles[hits[0].index].id, "workspace");
    assert!(
        e.search(
            "name",
            SearchOptions {
                limit: 5,
                topic: Some(Topic::Login)
            }
        )
        .is_empty()
    );
}

#[test]
fn nonsense_finds_nothing() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    assert!(e.search("zzqqxx", SearchOptions::default()).is_empty());
}

#[test]
fn hostile_queries_do_not_panic() {
    let kb = kb();
    let e = SearchEngine::new(&kb);
    for q in [
        "\u{1b}[2J",
        "   ",
        "🙂🙂",
        "İstanbul ǅ",
        &"a".repeat(5000),
        "a b c d e f g h i j k",
    ] {
        let _ = e.search(q, SearchOptions::default());
    }
}

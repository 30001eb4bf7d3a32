//! Search latency: the shipped knowledge base, and a generated one of 20,000 articles (titles of
//! about 80 characters, bodies of about 2 KB). Prints per-query median and p95; where `fzf` is
//! installed, times `fzf --filter` on the same corpus next to it.
//!
//! Run: `cargo bench --bench search` (add `-- --quick` for fewer repetitions).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ssodesk::kb::{Article, KbSource, KnowledgeBase, Topic};
use ssodesk::search::text::tokenize;
use ssodesk::search::{SearchEngine, SearchOptions};

const QUERIES: &[&str] = &[
    "okta provisioning tab",
    "reactivate deactivated user",
    "entra sync interval",
    "provisoning",
    "reac",
    "scim token 401",
    "workspace name rules",
    "users not showing up in spekit",
];

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 20 } else { 200 };

    let shipped = KnowledgeBase::embedded();
    let t = Instant::now();
    let engine = SearchEngine::new(&shipped);
    println!(
        "shipped KB: {} articles, index built in {:.2} ms",
        shipped.articles.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    report(&engine, reps * 10, None);

    let big = generate(&shipped, 20_000);
    let (tl, bl) = big
        .articles
        .iter()
        .fold((0, 0), |(t, b), a| (t + a.title.len(), b + a.body.len()));
    let t = Instant::now();
    let engine = SearchEngine::new(&big);
    println!(
        "\ngenerated KB: {} articles, avg title {} B, avg body {} B, index built in {:.0} ms",
        big.articles.len(),
        tl / big.articles.len(),
        bl / big.articles.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let fzf = fzf_corpus(&big);
    report(&engine, reps, fzf.as_deref());
}

fn report(engine: &SearchEngine, reps: usize, fzf: Option<&std::path::Path>) {
    println!(
        "{:<34} {:>10} {:>10} {:>6}{}",
        "query",
        "median",
        "p95",
        "hits",
        if fzf.is_some() {
            "   fzf --filter (whole process)"
        } else {
            ""
        }
    );
    let mut medians = Vec::new();
    for q in QUERIES {
        let mut times: Vec<Duration> = Vec::with_capacity(reps);
        let mut hits = 0;
        for _ in 0..reps {
            let t = Instant::now();
            hits = std::hint::black_box(engine.search(
                q,
                SearchOptions {
                    limit: 20,
                    topic: None,
                },
            ))
            .len();
            times.push(t.elapsed());
        }
        times.sort();
        let med = times[times.len() / 2];
        let p95 = times[times.len() * 95 / 100];
        medians.push(med);
        let fzf_col = fzf
            .map(|p| format!("   {}", time_fzf(p, q)))
            .unwrap_or_default();
        println!(
            "{:<34} {:>8.3}ms {:>8.3}ms {:>6}{fzf_col}",
            format!("{q:?}"),
            ms(med),
            ms(p95),
            hits
        );
    }
    let worst = medians.iter().max().copied().unwrap_or_default();
    println!("worst median {:.3} ms", ms(worst));
    if fzf.is_none() && which("fzf").is_none() {
        println!("(fzf not installed: no side-by-side column)");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A large KB built from the shipped articles' own vocabulary plus error codes, so the word
/// distribution resembles real support content.
fn generate(seed_kb: &KnowledgeBase, n: usize) -> KnowledgeBase {
    let mut vocab: Vec<String> = Vec::new();
    for a in &seed_kb.articles {
        for t in tokenize(&a.title).into_iter().chain(tokenize(&a.body)) {
            if t.word.len() >= 3 && !vocab.contains(&t.word) {
                vocab.push(t.word);
            }
        }
    }
    let mut rng = fastrand::Rng::with_seed(42);
    let pick = |rng: &mut fastrand::Rng| -> String {
        if rng.u8(..) < 8 {
            format!("E{:05}", rng.u32(..100_000))
        } else {
            vocab[rng.usize(..vocab.len())].clone()
        }
    };
    let mut articles = Vec::with_capacity(n);
    for i in 0..n {
        let mut title = String::from("How do I");
        while title.len() < 78 {
            title.push(' ');
            title.push_str(&pick(&mut rng));
        }
        title.push('?');
        let mut body = String::new();
        while body.len() < 2000 {
            body.push_str(&pick(&mut rng));
            body.push(if rng.u8(..) < 20 { '\n' } else { ' ' });
        }
        articles.push(Article {
            id: format!("gen-{i}"),
            title,
            topic: Topic::ALL[i % 4],
            idps: vec![],
            keywords: (0..5).map(|_| pick(&mut rng)).collect(),
            checks: vec![],
            sources: vec![],
            body,
            file: format!("gen-{i}.md"),
        });
    }
    KnowledgeBase {
        articles,
        synonyms: seed_kb.synonyms.clone(),
        problems: vec![],
        source: KbSource::Embedded,
    }
}

fn which(bin: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(bin))
            .find(|p| p.is_file())
    })
}

/// One line per article (title, keywords, body), as fzf would see a searchable list.
fn fzf_corpus(kb: &KnowledgeBase) -> Option<std::path::PathBuf> {
    which("fzf")?;
    let path = std::env::temp_dir().join("ssodesk-bench-fzf-corpus.txt");
    let mut f = std::fs::File::create(&path).ok()?;
    for a in &kb.articles {
        let line = format!(
            "{} {} {}",
            a.title,
            a.keywords.join(" "),
            a.body.replace('\n', " ")
        );
        writeln!(f, "{line}").ok()?;
    }
    Some(path)
}

fn time_fzf(corpus: &std::path::Path, q: &str) -> String {
    let mut times = Vec::new();
    let mut hits = 0;
    for _ in 0..3 {
        let Ok(input) = std::fs::File::open(corpus) else {
            return "n/a".into();
        };
        let t = Instant::now();
        let Ok(out) = Command::new("fzf")
            .args(["--filter", q])
            .stdin(Stdio::from(input))
            .output()
        else {
            return "n/a".into();
        };
        times.push(t.elapsed());
        hits = out.stdout.iter().filter(|&&b| b == b'\n').count();
    }
    times.sort();
    format!("{:>8.1}ms {:>6} hits", ms(times[1]), hits)
}

//! Embeds `faq/` and `themes/` into the binary, so an installed ssodesk works anywhere.
//! A generated list of `include_str!` keeps this dependency-free, and `rerun-if-changed` on
//! the folders makes cargo notice added or removed files, not only edited ones.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut code = String::new();
    for (name, dir, exts) in [
        ("FAQ_FILES", "faq", &["md", "toml"][..]),
        ("THEME_FILES", "themes", &["toml"][..]),
    ] {
        println!("cargo:rerun-if-changed={dir}");
        let mut files: Vec<String> = std::fs::read_dir(Path::new(&root).join(dir))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| {
                        Path::new(n)
                            .extension()
                            .is_some_and(|e| exts.iter().any(|x| e == *x))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        writeln!(code, "pub static {name}: &[(&str, &str)] = &[").expect("write to String");
        for f in files {
            let path = Path::new(&root).join(dir).join(&f);
            writeln!(code, "    ({f:?}, include_str!({:?})),", path.display())
                .expect("write to String");
        }
        writeln!(code, "];").expect("write to String");
    }
    std::fs::write(Path::new(&out).join("embedded.rs"), code).expect("write embedded.rs");
}

//! Text measured the way a terminal shows it: in columns (wide CJK and emoji count two), one
//! grapheme cluster at a time, never in bytes or chars. The one place text is cut to fit, for
//! the TUI and for every text printed to stdout alike.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Display width in columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Columns one value (a title, a detail line, an evidence item) takes at most in text output.
/// API data can hold a 10,000-character name; the JSON keeps it whole, the text cuts it.
pub const LINE_CLIP: usize = 300;

/// Cuts `s` to at most `max` terminal columns (wide CJK and emoji count two, grapheme
/// clusters are never split), ending in `…` when something was cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w + 1 > max {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// [`clip`] applied to every line of `text`.
pub fn clip_lines(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(64 * 1024));
    for piece in text.split_inclusive('\n') {
        let (line, nl) = match piece.strip_suffix('\n') {
            Some(l) => (l, "\n"),
            None => (piece, ""),
        };
        out.push_str(&clip(line, max));
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_counts_columns_and_keeps_graphemes_whole() {
        assert_eq!(clip("short", 10), "short");
        let c = clip(&"山".repeat(100), 11);
        assert!(c.width() <= 11, "{c}");
        assert!(c.ends_with('…'));
        let family = "👩\u{200d}👩\u{200d}👧";
        let c = clip(&format!("ab{family}{family}{family}"), 5);
        assert!(c == "ab…" || c.starts_with(&format!("ab{family}")), "{c:?}");
        assert!(!c.ends_with('\u{200d}'));
        assert_eq!(clip_lines("aaaa\nbb\n", 3), "aa…\nbb\n");
    }

    #[test]
    fn nothing_fits_in_zero_columns() {
        assert_eq!(clip("abc", 0), "");
        assert_eq!(clip("", 0), "");
    }
}

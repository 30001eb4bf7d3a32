//! Width-safe text helpers: everything is measured in terminal columns (unicode-width, one
//! grapheme at a time), never in bytes or chars, so CJK and emoji neither overflow nor split.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_segmentation::UnicodeSegmentation;

pub const ELLIPSIS: &str = "…";

pub use crate::display::{clip as truncate, width};

/// Cuts styled spans to at most `max` columns; the `…` takes the style of the cut span.
pub fn truncate_spans(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(|s| width(&s.content)).sum();
    if total <= max {
        return spans;
    }
    let mut out = Vec::new();
    let mut used = 0;
    let budget = max.saturating_sub(1);
    for span in spans {
        let w = width(&span.content);
        if used + w <= budget {
            used += w;
            out.push(span);
            continue;
        }
        let mut part = String::new();
        for g in span.content.graphemes(true) {
            let gw = width(g);
            if used + gw > budget {
                break;
            }
            part.push_str(g);
            used += gw;
        }
        if max > 0 {
            part.push_str(ELLIPSIS);
        }
        out.push(Span::styled(part, span.style));
        break;
    }
    out
}

/// Splits `text` into spans, styling the byte `ranges` with `hit`. Ranges that are out of
/// bounds, overlapping or not on character boundaries are skipped rather than trusted.
pub fn highlight(
    text: &str,
    ranges: &[Range<usize>],
    base: Style,
    hit: Style,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut pos = 0;
    for r in ranges {
        let valid = r.start >= pos
            && r.start < r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end);
        if !valid {
            continue;
        }
        if r.start > pos {
            spans.push(Span::styled(text[pos..r.start].to_string(), base));
        }
        spans.push(Span::styled(
            text[r.start..r.end].to_string(),
            base.patch(hit),
        ));
        pos = r.end;
    }
    if pos < text.len() {
        spans.push(Span::styled(text[pos..].to_string(), base));
    }
    spans
}

/// Char indices (as fuzzy-matcher reports them) to byte ranges, merged when adjacent.
pub fn char_indices_to_ranges(text: &str, indices: &[usize]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut wanted = indices.iter().copied().peekable();
    for (ci, (bi, c)) in text.char_indices().enumerate() {
        while wanted.peek().is_some_and(|&w| w < ci) {
            wanted.next();
        }
        if wanted.peek() == Some(&ci) {
            let end = bi + c.len_utf8();
            match ranges.last_mut() {
                Some(last) if last.end == bi => last.end = end,
                _ => ranges.push(bi..end),
            }
        }
    }
    ranges
}

/// Wraps `s` into lines of at most `max` columns: at spaces where it can, inside a word
/// (URLs, ids) where it must. Existing line breaks are kept; an empty input gives no lines.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in para.split_inclusive(' ') {
            let w = width(word);
            let bare = width(word.trim_end());
            if used + bare <= max {
                line.push_str(word);
                used += w;
                continue;
            }
            if used > 0 && bare <= max {
                out.push(line.trim_end().to_string());
                line = word.to_string();
                used = w;
                continue;
            }
            // A word longer than a line: on a line of its own, cut by columns.
            if used > 0 {
                out.push(line.trim_end().to_string());
                line.clear();
                used = 0;
            }
            for g in word.graphemes(true) {
                let gw = width(g);
                if used + gw > max && used > 0 {
                    out.push(line.trim_end().to_string());
                    line.clear();
                    used = 0;
                }
                line.push_str(g);
                used += gw;
            }
        }
        out.push(line.trim_end().to_string());
    }
    if s.is_empty() {
        out.clear();
    }
    out
}

/// Cuts `s` into lines of exactly `max` columns (the last shorter), ignoring word breaks:
/// for URLs and JSON, where every character counts and none may be lost.
pub fn wrap_hard(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let gw = width(g);
        if used + gw > max && used > 0 {
            out.push(std::mem::take(&mut line));
            used = 0;
        }
        line.push_str(g);
        used += gw;
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// Human size: `512 bytes`, `1.2 KB`, `3.4 MB`.
pub fn human_size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_columns_not_bytes() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        // Each CJK character is two columns: 3 of them fill 6, so only 2 fit before the `…`.
        assert_eq!(truncate("山田太郎", 6), "山田…");
        assert!(width(&truncate("山田太郎", 6)) <= 6);
        // An emoji is never split in half.
        assert_eq!(truncate("ab👩‍🔬cd", 4), "ab…");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn truncate_spans_keeps_styles_and_width() {
        let bold = Style::new().bold();
        let spans = vec![Span::raw("Zoë "), Span::styled("山田太郎", bold)];
        let out = truncate_spans(spans, 8);
        let text: String = out.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "Zoë 山…");
        assert_eq!(out[1].style, bold);
        assert!(width(&text) <= 8);
    }

    #[test]
    fn highlight_skips_bad_ranges() {
        let hit = Style::new().underlined();
        // Overlapping, inside a character (é is bytes 1..3), past the end: all skipped.
        let spans = highlight("héllo", &[0..1, 0..1, 1..2, 3..99], Style::new(), hit);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "héllo");
        let hits: Vec<&str> = spans
            .iter()
            .filter(|s| s.style == hit)
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(hits, vec!["h"]);
        let spans = highlight("okta prov", &[0..4, 5..9], Style::new(), hit);
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[0].content, "okta");
        assert_eq!(spans[0].style, hit);
    }

    #[test]
    fn char_indices_map_to_byte_ranges() {
        assert_eq!(
            char_indices_to_ranges("théme", &[0, 1, 2, 4]),
            vec![0..4, 5..6]
        );
    }

    #[test]
    fn wraps_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(
            wrap("GET http://host/a/very/long/path", 10),
            vec!["GET", "http://hos", "t/a/very/l", "ong/path"]
        );
        assert_eq!(wrap("a\nb", 5), vec!["a", "b"]);
        assert!(wrap("", 5).is_empty());
        for line in wrap("山田太郎のSSOログイン 👩‍🔬 x", 5) {
            assert!(width(&line) <= 5, "{line}");
        }
    }

    #[test]
    fn hard_wrap_keeps_every_character() {
        let url = "PATCH http://127.0.0.1:1/okta/acme/api/v1/apps/0oa/group-push/mappings/gPm";
        let lines = wrap_hard(url, 20);
        assert_eq!(lines.concat(), url);
        assert!(lines.iter().all(|l| width(l) <= 20));
        assert_eq!(lines[0], "PATCH http://127.0.0");
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(10), "10 bytes");
        assert_eq!(human_size(1229), "1.2 KB");
    }
}

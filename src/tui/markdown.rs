//! A small Markdown renderer to ratatui lines, wrapped to a width: headings, paragraphs,
//! bullet and numbered lists (nested), bold, italic, strikethrough, inline code, fenced code
//! blocks, block quotes, rules, and links as text plus URL.
//!
//! It is ours rather than a crate's so that wrapping is by display width (CJK, emoji), list
//! continuation lines hang under their text, and every style comes from the theme.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use super::text::width;
use super::theme::Theme;

/// Renders `markdown` into lines at most `width` columns wide.
pub fn render(markdown: &str, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let mut r = Renderer::new(usize::from(width).max(8), theme);
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH) {
        r.event(event);
    }
    r.flush();
    while r.lines.last().is_some_and(|l| l.spans.is_empty()) {
        r.lines.pop();
    }
    r.lines
}

/// Wraps one plain string (a title) to `width` with one style.
pub fn wrap(text: &str, style: Style, width: u16) -> Vec<Line<'static>> {
    let mut r = Renderer::new(usize::from(width).max(8), &NO_THEME);
    r.push_text(text, style);
    r.flush();
    r.lines
}

/// `wrap` needs no theme; the renderer wants one.
static NO_THEME: std::sync::LazyLock<Theme> = std::sync::LazyLock::new(Theme::monochrome);

/// A run of text with one style; a word may be made of several (`**bold**,`).
type Piece = (String, Style);

enum Inline {
    Piece(Piece),
    /// Whitespace between words: a break opportunity.
    Space,
    /// A hard line break.
    Break,
}

struct Renderer<'t> {
    width: usize,
    theme: &'t Theme,
    lines: Vec<Line<'static>>,
    inline: Vec<Inline>,
    /// Open emphasis and heading styles, innermost last.
    styles: Vec<Style>,
    /// Container prefixes: a list item's indent or a quote bar, outermost first.
    prefixes: Vec<Prefix>,
    /// One entry per open list: the next number of an ordered list.
    lists: Vec<Option<u64>>,
    link: Option<String>,
    code_block: Option<String>,
    /// A blank line is due before the next block.
    gap: bool,
}

#[derive(Clone)]
struct Prefix {
    /// What later lines of the container show (spaces, or the quote bar).
    rest: Span<'static>,
    /// What the container's first line shows (the bullet or number), until used.
    first: Option<Span<'static>>,
}

impl<'t> Renderer<'t> {
    fn new(width: usize, theme: &'t Theme) -> Self {
        Renderer {
            width,
            theme,
            lines: Vec::new(),
            inline: Vec::new(),
            styles: Vec::new(),
            prefixes: Vec::new(),
            lists: Vec::new(),
            link: None,
            code_block: None,
            gap: false,
        }
    }

    fn style(&self) -> Style {
        self.styles
            .iter()
            .fold(self.theme.text, |acc, s| acc.patch(*s))
    }

    fn push_text(&mut self, text: &str, style: Style) {
        let mut word = String::new();
        for g in text.graphemes(true) {
            if g.chars().all(char::is_whitespace) {
                if !word.is_empty() {
                    self.inline
                        .push(Inline::Piece((std::mem::take(&mut word), style)));
                }
                if !matches!(self.inline.last(), Some(Inline::Space) | None) {
                    self.inline.push(Inline::Space);
                }
            } else {
                word.push_str(g);
            }
        }
        if !word.is_empty() {
            self.inline.push(Inline::Piece((word, style)));
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = &mut self.code_block {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let code = self.code_block.take().unwrap_or_default();
                    self.code(&code);
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                let style = self.style();
                self.push_text(&t, style);
            }
            Event::Code(t) => {
                // Inline code keeps its spaces: one unbreakable piece.
                let style = self.style().patch(self.theme.code);
                self.inline.push(Inline::Piece((t.to_string(), style)));
            }
            Event::SoftBreak => self.inline.push(Inline::Space),
            Event::HardBreak => self.inline.push(Inline::Break),
            Event::Rule => {
                self.flush();
                self.block_start();
                let n = self.width.saturating_sub(self.prefix_width());
                self.emit_line(vec![Span::styled("─".repeat(n), self.theme.border)]);
                self.gap = true;
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                let style = self.style();
                self.push_text(&t, style);
            }
            Event::TaskListMarker(done) => {
                let style = self.style();
                self.push_text(if done { "[x]" } else { "[ ]" }, style);
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.flush();
                self.block_start();
            }
            Tag::Heading { level, .. } => {
                self.flush();
                if !self.lines.is_empty() {
                    self.gap = true;
                }
                self.block_start();
                let mut style = self.theme.heading;
                if level == HeadingLevel::H1 {
                    style = style.add_modifier(Modifier::UNDERLINED);
                }
                self.styles.push(style);
            }
            Tag::List(first) => {
                self.flush();
                if self.lists.is_empty() {
                    self.block_start();
                }
                self.lists.push(first);
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => format!("{} ", ["•", "◦", "▪"][depth % 3]),
                };
                let pad = " ".repeat(width(&marker));
                self.prefixes.push(Prefix {
                    rest: Span::raw(pad),
                    first: Some(Span::styled(marker, self.theme.accent)),
                });
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.block_start();
                self.prefixes.push(Prefix {
                    rest: Span::styled("│ ", self.theme.muted),
                    first: None,
                });
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.block_start();
                self.code_block = Some(String::new());
            }
            Tag::Emphasis => self
                .styles
                .push(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.styles.push(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self
                .styles
                .push(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.styles.push(self.theme.link);
                self.link = Some(dest_url.to_string());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                self.gap = true;
            }
            TagEnd::Heading(_) => {
                self.styles.pop();
                self.flush();
                self.gap = true;
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                self.gap = self.lists.is_empty();
            }
            TagEnd::Item => {
                self.flush();
                self.prefixes.pop();
                self.gap = false;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.prefixes.pop();
                self.gap = true;
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.styles.pop();
            }
            TagEnd::Link | TagEnd::Image => {
                self.styles.pop();
                if let Some(url) = self.link.take() {
                    // An autolink's text is its URL already.
                    let text_is_url = matches!(
                        self.inline.last(),
                        Some(Inline::Piece((t, _))) if *t == url
                    );
                    if !text_is_url && !url.is_empty() {
                        self.inline.push(Inline::Space);
                        self.inline
                            .push(Inline::Piece((format!("({url})"), self.theme.muted)));
                    }
                }
            }
            _ => {}
        }
    }

    /// Inside a list item, blocks follow each other without blank lines; elsewhere a blank
    /// line separates them.
    fn block_start(&mut self) {
        if self.gap && !self.lines.is_empty() && self.lists.is_empty() {
            self.lines.push(Line::default());
        }
        self.gap = false;
    }

    fn prefix_width(&self) -> usize {
        self.prefixes.iter().map(|p| width(&p.rest.content)).sum()
    }

    /// The prefix for the next line: each container's marker shows once, on its first line.
    fn take_prefix(&mut self) -> Vec<Span<'static>> {
        self.prefixes
            .iter_mut()
            .map(|p| p.first.take().unwrap_or_else(|| p.rest.clone()))
            .collect()
    }

    fn emit_line(&mut self, body: Vec<Span<'static>>) {
        let mut spans = self.take_prefix();
        spans.extend(body);
        self.lines.push(Line::from(spans));
    }

    /// Lays out the collected inline content, word by word, within the width.
    fn flush(&mut self) {
        if self.inline.is_empty() {
            return;
        }
        let inline = std::mem::take(&mut self.inline);
        let avail = self.width.saturating_sub(self.prefix_width()).max(4);
        // Group pieces into unbreakable words.
        let mut words: Vec<Option<Vec<Piece>>> = Vec::new(); // None = hard break
        let mut cur: Vec<Piece> = Vec::new();
        for item in inline {
            match item {
                Inline::Piece(p) => cur.push(p),
                Inline::Space => {
                    if !cur.is_empty() {
                        words.push(Some(std::mem::take(&mut cur)));
                    }
                }
                Inline::Break => {
                    if !cur.is_empty() {
                        words.push(Some(std::mem::take(&mut cur)));
                    }
                    words.push(None);
                }
            }
        }
        if !cur.is_empty() {
            words.push(Some(cur));
        }
        let mut line: Vec<Span<'static>> = Vec::new();
        let mut used = 0usize;
        for word in words {
            let Some(word) = word else {
                let done = std::mem::take(&mut line);
                self.emit_line(done);
                used = 0;
                continue;
            };
            let ww: usize = word.iter().map(|(t, _)| width(t)).sum();
            if used > 0 && used + 1 + ww > avail {
                let done = std::mem::take(&mut line);
                self.emit_line(done);
                used = 0;
            }
            if used > 0 {
                line.push(Span::styled(" ", word[0].1));
                used += 1;
            }
            for (text, style) in word {
                // A word longer than the line (a URL) is cut at the edge, grapheme by grapheme.
                let mut part = String::new();
                for g in text.graphemes(true) {
                    let gw = width(g);
                    if used + gw > avail && used > 0 {
                        if !part.is_empty() {
                            line.push(Span::styled(std::mem::take(&mut part), style));
                        }
                        let done = std::mem::take(&mut line);
                        self.emit_line(done);
                        used = 0;
                    }
                    part.push_str(g);
                    used += gw;
                }
                if !part.is_empty() {
                    line.push(Span::styled(part, style));
                }
            }
        }
        if !line.is_empty() {
            self.emit_line(line);
        }
    }

    /// A code block keeps its lines; a line longer than the width continues on the next one.
    fn code(&mut self, code: &str) {
        let avail = self.width.saturating_sub(self.prefix_width() + 2).max(4);
        let style = self.theme.code;
        for raw in code.trim_end_matches('\n').split('\n') {
            let mut part = String::new();
            let mut used = 0;
            for g in raw.graphemes(true) {
                let gw = width(g);
                if used + gw > avail {
                    let chunk = std::mem::take(&mut part);
                    self.emit_line(vec![Span::raw("  "), Span::styled(chunk, style)]);
                    used = 0;
                }
                part.push_str(g);
                used += gw;
            }
            self.emit_line(vec![Span::raw("  "), Span::styled(part, style)]);
        }
        self.gap = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn headings_lists_and_paragraphs() {
        let md = "# Title\n\nSome **bold** and *italic* text.\n\n1. One\n2. Two\n   - nested a\n   - nested b\n3. Three\n\n## Next\nDone.";
        let theme = Theme::monochrome();
        let out = plain(&render(md, 60, &theme));
        assert_eq!(
            out,
            vec![
                "Title",
                "",
                "Some bold and italic text.",
                "",
                "1. One",
                "2. Two",
                "   ◦ nested a",
                "   ◦ nested b",
                "3. Three",
                "",
                "Next",
                "",
                "Done.",
            ]
        );
    }

    #[test]
    fn styles_come_from_the_theme() {
        let theme = crate::tui::theme::ThemeSet::new(None)
            .load("default")
            .expect("default");
        let lines = render("## Fix\nUse `Settings` and **this**.", 40, &theme);
        assert_eq!(lines[0].spans[0].style, theme.text.patch(theme.heading));
        let code = lines[2]
            .spans
            .iter()
            .find(|s| s.content == "Settings")
            .expect("code span");
        assert_eq!(code.style, theme.text.patch(theme.code));
        let bold = lines[2]
            .spans
            .iter()
            .find(|s| s.content.starts_with("this"))
            .expect("bold");
        assert!(bold.style.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn wraps_with_hanging_indent() {
        let md = "- alpha beta gamma delta epsilon zeta eta theta";
        let out = plain(&render(md, 20, &Theme::monochrome()));
        assert_eq!(out[0], "• alpha beta gamma");
        assert!(out[1].starts_with("  delta"), "{out:?}");
        assert!(out.iter().all(|l| width(l) <= 20), "{out:?}");
    }

    #[test]
    fn links_show_their_url_and_long_words_are_cut() {
        let md = "See [the docs](https://example.test/a/very/long/path/that/goes/on) now.";
        let out = plain(&render(md, 24, &Theme::monochrome()));
        let joined = out.join("");
        assert!(joined.contains("the docs"), "{out:?}");
        assert!(joined.contains("(https://example.test/"), "{out:?}");
        assert!(out.iter().all(|l| width(l) <= 24), "{out:?}");
        // An autolink is not repeated.
        let out = plain(&render("<https://x.test>", 40, &Theme::monochrome()));
        assert_eq!(out, vec!["https://x.test"]);
    }

    #[test]
    fn code_blocks_keep_lines() {
        let md = "Run:\n\n```\nGET /Users?filter=userName eq \"x\"\n  indented\n```\nAfter.";
        let out = plain(&render(md, 60, &Theme::monochrome()));
        assert_eq!(
            out,
            vec![
                "Run:",
                "",
                "  GET /Users?filter=userName eq \"x\"",
                "    indented",
                "",
                "After."
            ]
        );
    }

    #[test]
    fn wide_characters_wrap_by_columns() {
        let md = "山田太郎 山田太郎 山田太郎 👩‍🔬👩‍🔬";
        let out = plain(&render(md, 10, &Theme::monochrome()));
        assert!(out.iter().all(|l| width(l) <= 10), "{out:?}");
        assert_eq!(out.join(" "), md);
    }

    #[test]
    fn every_embedded_article_renders_within_width() {
        let kb = crate::kb::KnowledgeBase::embedded();
        let theme = Theme::monochrome();
        for a in &kb.articles {
            for w in [30u16, 80] {
                for l in render(&a.body, w, &theme) {
                    assert!(l.width() <= usize::from(w), "{} at {w}: {l:?}", a.id);
                }
            }
        }
    }
}

//! Markdown to plain text: for copying an answer into a ticket, for the first lines shown by
//! `ssodesk search`, and for indexing the body's words.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Renders Markdown as readable plain text: bullets as `- `, numbered steps as `1. `, links as
/// `text (url)`, headings on their own lines, emphasis markers dropped.
pub fn to_plain(markdown: &str) -> String {
    let mut out = String::new();
    // One entry per open list: the next number for ordered lists.
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut link: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::Heading { .. }) | Event::Start(Tag::Paragraph)
                if lists.is_empty() =>
            {
                blank_line(&mut out)
            }
            Event::End(TagEnd::Heading(_)) | Event::End(TagEnd::Paragraph) => newline(&mut out),
            Event::Start(Tag::List(first)) => {
                if lists.is_empty() {
                    blank_line(&mut out);
                } else {
                    newline(&mut out);
                }
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                newline(&mut out);
                let depth = lists.len().saturating_sub(1);
                out.push_str(&"  ".repeat(depth));
                match lists.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::End(TagEnd::Item) => newline(&mut out),
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.take() {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::Start(Tag::CodeBlock(_)) => blank_line(&mut out),
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Rule => {
                blank_line(&mut out);
                out.push_str("---\n");
            }
            _ => {}
        }
    }
    out.trim().to_string()
}

fn newline(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn blank_line(out: &mut String) {
    if out.is_empty() {
        return;
    }
    newline(out);
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_lists_links_and_emphasis() {
        let md = "Do **this** first.\n\n1. Open `Settings`.\n2. Click [Connect](https://x.test/c).\n\n- a\n- b\n";
        assert_eq!(
            to_plain(md),
            "Do this first.\n\n1. Open Settings.\n2. Click Connect (https://x.test/c).\n\n- a\n- b"
        );
    }

    #[test]
    fn headings_are_separated() {
        assert_eq!(
            to_plain("## Why\nBecause.\n## Fix\nDo it."),
            "Why\n\nBecause.\n\nFix\n\nDo it."
        );
    }
}

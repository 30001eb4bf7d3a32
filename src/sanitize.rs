//! Untrusted text enters the program here and nowhere else.
//!
//! IdP and SP API data, provider error bodies and knowledge-base files can carry terminal escape
//! sequences (CSI, OSC, DCS, their 8-bit C1 forms), bidi overrides and zero-width characters.
//! ratatui's widgets drop control characters but leave the printable rest of a sequence on
//! screen, and nothing protects stdout (`--json`, text output, ticket notes). So every string
//! from outside is cleaned once, when it is parsed, and the type [`SafeText`] records that.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Spaces a tab expands to in multi-line text.
const TAB_WIDTH: usize = 4;

/// Cleans a single-line field (a name, an email, an error message): newlines and tabs become
/// spaces, runs of whitespace collapse, and the result is trimmed.
pub fn clean_line(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in Stripper::new(input) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Cleans multi-line text (a Markdown body): keeps `\n`, drops `\r`, expands tabs.
pub fn clean_text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut column = 0usize;
    for c in Stripper::new(input) {
        match c {
            '\n' => {
                out.push('\n');
                column = 0;
            }
            '\t' => {
                let n = TAB_WIDTH - column % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', n));
                column += n;
            }
            '\r' => {}
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// True when the string holds nothing that [`clean_text`] would remove or change
/// (used by tests and by assertions on output paths).
pub fn is_clean(input: &str) -> bool {
    !input
        .chars()
        .any(|c| (c.is_control() && c != '\n') || is_invisible(c))
}

/// Bidi controls and zero-width characters: they reorder or hide text, which lets a hostile
/// display name spoof what an agent reads (e.g. in a confirmation popup).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'   // zero-width space/non-joiner/joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}' // LRE, RLE, PDF, LRO, RLO
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // LRI, RLI, FSI, PDI
        | '\u{061C}'              // Arabic letter mark
        | '\u{FEFF}'              // BOM / zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation controls
    )
}

/// Iterator that yields the characters of `input` with escape sequences, control characters
/// (except `\n` and `\t`, which callers handle) and invisible characters removed.
struct Stripper<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> Stripper<'a> {
    fn new(input: &'a str) -> Self {
        Self {
            chars: input.chars().peekable(),
        }
    }

    /// Skips the parameters and final byte of a CSI sequence.
    fn skip_csi(&mut self) {
        while let Some(&c) = self.chars.peek() {
            // A control character cannot be part of a CSI: it ends the sequence and is
            // handled on its own (it may start the next sequence).
            if c.is_control() {
                break;
            }
            self.chars.next();
            if ('\u{40}'..='\u{7E}').contains(&c) {
                break;
            }
        }
    }

    /// Skips a string sequence (OSC, DCS, SOS, PM, APC) up to BEL or ST (`ESC \` or 0x9C).
    fn skip_string(&mut self) {
        while let Some(c) = self.chars.next() {
            match c {
                '\u{07}' | '\u{9C}' => break,
                '\u{1B}' => {
                    if self.chars.peek() == Some(&'\\') {
                        self.chars.next();
                    }
                    break;
                }
                _ => {}
            }
        }
    }
}

impl Iterator for Stripper<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            let c = self.chars.next()?;
            match c {
                '\n' | '\t' | '\r' => return Some(c),
                '\u{1B}' => match self.chars.next() {
                    Some('[') => self.skip_csi(),
                    Some(']' | 'P' | 'X' | '^' | '_') => self.skip_string(),
                    // Two-byte escapes (ESC 7, ESC c, ...): the second byte goes too.
                    Some(_) | None => {}
                },
                '\u{9B}' => self.skip_csi(),
                '\u{9D}' | '\u{90}' | '\u{98}' | '\u{9E}' | '\u{9F}' => self.skip_string(),
                c if c.is_control() || is_invisible(c) => {}
                c => return Some(c),
            }
        }
    }
}

/// A single-line string that has been through [`clean_line`]. Deserializing one cleans it, so
/// API models that use it for their text fields are safe to print by construction.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SafeText(String);

impl SafeText {
    pub fn new(raw: &str) -> Self {
        Self(clean_line(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for SafeText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SafeText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SafeText {
    fn from(raw: &str) -> Self {
        Self::new(raw)
    }
}

impl From<String> for SafeText {
    fn from(raw: String) -> Self {
        Self::new(&raw)
    }
}

impl fmt::Display for SafeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SafeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Serialize for SafeText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SafeText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Self::new(&raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_csi_osc_and_c1() {
        assert_eq!(clean_line("A\x1b]0;pwned\x07B"), "AB");
        assert_eq!(clean_line("C\x1b[2JD"), "CD");
        assert_eq!(clean_line("E\u{9b}31mF"), "EF");
        assert_eq!(clean_line("x\x1b]52;c;aGVsbG8=\x1b\\y"), "xy");
        assert_eq!(clean_line("\x1bPq#0;2;0;0;0\x1b\\ok"), "ok");
        assert_eq!(clean_line("K\u{202e}LM"), "KLM");
        assert_eq!(clean_line("a\u{200b}b\u{feff}c"), "abc");
    }

    #[test]
    fn single_line_collapses_whitespace() {
        assert_eq!(clean_line("  G\rH\tI\x08J\n\nK  "), "G H IJ K");
    }

    #[test]
    fn multi_line_keeps_newlines_and_expands_tabs() {
        assert_eq!(clean_text("a\tb\r\n\tc"), "a   b\n    c");
        assert!(is_clean(&clean_text("x\x1b[31my\u{9b}1m\u{202e}z")));
    }

    #[test]
    fn keeps_unicode_text() {
        assert_eq!(clean_line("Zoë 山田 👩"), "Zoë 山田 👩");
    }

    #[test]
    fn safe_text_cleans_on_deserialize() {
        let t: SafeText = serde_json::from_str("\"Bob\\u001b[2J\"").expect("json");
        assert_eq!(t.as_str(), "Bob");
        assert_eq!(serde_json::to_string(&t).expect("json"), "\"Bob\"");
    }
}

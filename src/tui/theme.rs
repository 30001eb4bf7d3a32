//! Semantic colour slots. Themes are TOML files: the embedded `themes/*.toml`, overridden by
//! name from `<config dir>/themes/NAME.toml`. A theme may be partial: missing slots come from
//! the theme it `extends` (default: `default`). With `NO_COLOR` set there is no colour at all,
//! only bold, reverse and underline.

use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};

/// Every slot, in the order theme files document them.
pub const SLOTS: &[&str] = &[
    "text",
    "muted",
    "accent",
    "ok",
    "info",
    "warn",
    "error",
    "highlight",
    "selection",
    "border",
    "border_focus",
    "badge",
    "heading",
    "code",
    "link",
    "key",
    "status",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// Base text; its background (if any) paints the whole screen.
    pub text: Style,
    /// Secondary text: counts, hints, URLs.
    pub muted: Style,
    /// The app name, the active tab, prompts.
    pub accent: Style,
    pub ok: Style,
    pub info: Style,
    pub warn: Style,
    pub error: Style,
    /// Matched characters in results.
    pub highlight: Style,
    /// The selected row.
    pub selection: Style,
    pub border: Style,
    /// The border of the pane that has focus.
    pub border_focus: Style,
    /// Topic badges.
    pub badge: Style,
    pub heading: Style,
    pub code: Style,
    pub link: Style,
    /// Key names in help and hints.
    pub key: Style,
    /// The bottom line.
    pub status: Style,
}

impl Theme {
    /// The `NO_COLOR` theme: attributes only.
    pub fn monochrome() -> Theme {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            name: "no-color".to_string(),
            text: plain,
            muted: plain,
            accent: bold,
            ok: plain,
            info: plain,
            warn: bold,
            error: bold,
            highlight: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            border: plain,
            border_focus: bold,
            badge: plain,
            heading: bold,
            code: plain,
            link: Style::new().add_modifier(Modifier::UNDERLINED),
            key: bold,
            status: plain,
        }
    }

    fn slot_mut(&mut self, name: &str) -> Option<&mut Style> {
        Some(match name {
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "accent" => &mut self.accent,
            "ok" => &mut self.ok,
            "info" => &mut self.info,
            "warn" => &mut self.warn,
            "error" => &mut self.error,
            "highlight" => &mut self.highlight,
            "selection" => &mut self.selection,
            "border" => &mut self.border,
            "border_focus" => &mut self.border_focus,
            "badge" => &mut self.badge,
            "heading" => &mut self.heading,
            "code" => &mut self.code,
            "link" => &mut self.link,
            "key" => &mut self.key,
            "status" => &mut self.status,
            _ => return None,
        })
    }
}

/// True when the user asked for no colour (`NO_COLOR` set and not empty, per no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Where themes come from: the embedded files plus an optional user folder.
#[derive(Debug, Clone)]
pub struct ThemeSet {
    embedded: Vec<(String, &'static str)>,
    user_dir: Option<PathBuf>,
}

impl ThemeSet {
    /// The embedded themes and, if given, `dir` (normally `<config dir>/themes`).
    pub fn new(user_dir: Option<PathBuf>) -> ThemeSet {
        let embedded = crate::kb::THEME_FILES
            .iter()
            .filter_map(|(file, text)| {
                file.strip_suffix(".toml")
                    .map(|stem| (stem.to_string(), *text))
            })
            .collect();
        ThemeSet { embedded, user_dir }
    }

    /// The usual user folder: `<config dir>/themes`.
    pub fn user_default() -> ThemeSet {
        ThemeSet::new(crate::paths::config_dir().map(|d| d.join("themes")))
    }

    /// Every theme name, sorted: embedded ones and the user's.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.embedded.iter().map(|(n, _)| n.clone()).collect();
        if let Some(dir) = &self.user_dir
            && let Ok(rd) = std::fs::read_dir(dir)
        {
            for entry in rd.filter_map(Result::ok) {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "toml")
                    && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
                    && valid_name(stem)
                {
                    names.push(stem.to_string());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Loads a theme by name: the user's file wins over an embedded one of the same name.
    pub fn load(&self, name: &str) -> Result<Theme, String> {
        self.load_depth(name, 0)
    }

    fn load_depth(&self, name: &str, depth: usize) -> Result<Theme, String> {
        if !valid_name(name) {
            return Err(format!(
                "invalid theme name \"{}\": use letters, digits, `-` and `_`",
                crate::sanitize::clean_line(name)
            ));
        }
        if depth > 4 {
            return Err(format!(
                "theme `{name}`: `extends` goes more than 4 levels deep"
            ));
        }
        let Some(path) = self.user_path(name) else {
            return self.embedded_theme(name, depth);
        };
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read theme file {origin}: {e}"))?;
        let file = parse_file(&text, &origin)?;
        let base = extends(&file, &origin)?.unwrap_or_else(|| "default".to_string());
        // A user file extending its own name builds on the embedded theme it overrides.
        let mut theme = if base == name {
            self.embedded_theme(name, depth + 1)?
        } else {
            self.load_depth(&base, depth + 1)?
        };
        theme.name = name.to_string();
        apply(&mut theme, &file, &origin)?;
        Ok(theme)
    }

    fn embedded_theme(&self, name: &str, depth: usize) -> Result<Theme, String> {
        if depth > 4 {
            return Err(format!(
                "theme `{name}`: `extends` goes more than 4 levels deep"
            ));
        }
        let Some((_, text)) = self.embedded.iter().find(|(n, _)| n == name) else {
            return Err(format!(
                "unknown theme `{name}` (themes: {})",
                self.names().join(", ")
            ));
        };
        let origin = format!("`{name}` (embedded)");
        let file = parse_file(text, &origin)?;
        let mut theme = match extends(&file, &origin)? {
            Some(base) if base != name => self.embedded_theme(&base, depth + 1)?,
            _ if name == "default" => Theme::monochrome(),
            _ => self.embedded_theme("default", depth + 1)?,
        };
        theme.name = name.to_string();
        apply(&mut theme, &file, &origin)?;
        Ok(theme)
    }

    fn user_path(&self, name: &str) -> Option<PathBuf> {
        self.user_dir
            .as_ref()
            .map(|d| d.join(format!("{name}.toml")))
            .filter(|p| p.is_file())
    }
}

fn parse_file(text: &str, origin: &str) -> Result<toml::Table, String> {
    toml::from_str(text).map_err(|e| format!("theme {origin}: {}", e.to_string().trim_end()))
}

fn extends(file: &toml::Table, origin: &str) -> Result<Option<String>, String> {
    match file.get("extends") {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("theme {origin}: `extends` must be a theme name")),
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Writes the slots set in `file` over `theme`. A slot set in the file replaces the base's
/// slot entirely, so `bold = false` means what it says.
fn apply(theme: &mut Theme, file: &toml::Table, origin: &str) -> Result<(), String> {
    for (key, value) in file {
        if key == "extends" || key == "description" {
            continue;
        }
        let slot = theme.slot_mut(key).ok_or_else(|| {
            format!(
                "theme {origin}: unknown slot `{key}` (slots: {})",
                SLOTS.join(", ")
            )
        })?;
        *slot = parse_slot(value).map_err(|e| format!("theme {origin}: slot `{key}`: {e}"))?;
    }
    Ok(())
}

fn parse_slot(value: &toml::Value) -> Result<Style, String> {
    match value {
        toml::Value::String(s) => Ok(Style::new().fg(parse_color(s)?)),
        toml::Value::Table(t) => {
            let mut style = Style::new();
            for (k, v) in t {
                match (k.as_str(), v) {
                    ("fg", toml::Value::String(s)) => style = style.fg(parse_color(s)?),
                    ("bg", toml::Value::String(s)) => style = style.bg(parse_color(s)?),
                    (attr, toml::Value::Boolean(on)) => {
                        let m = match attr {
                            "bold" => Modifier::BOLD,
                            "italic" => Modifier::ITALIC,
                            "underline" => Modifier::UNDERLINED,
                            "reverse" => Modifier::REVERSED,
                            "dim" => Modifier::DIM,
                            other => return Err(unknown_key(other)),
                        };
                        if *on {
                            style = style.add_modifier(m);
                        }
                    }
                    ("fg" | "bg", _) => return Err(format!("`{k}` must be a colour string")),
                    (other, _) => return Err(unknown_key(other)),
                }
            }
            Ok(style)
        }
        _ => {
            Err("expected a colour string or a table like { fg = \"#5fafff\", bold = true }".into())
        }
    }
}

fn unknown_key(k: &str) -> String {
    format!("unknown key `{k}` (use fg, bg, bold, italic, underline, reverse, dim)")
}

fn parse_color(s: &str) -> Result<Color, String> {
    s.parse::<Color>().map_err(|_| {
        format!(
            "unknown colour \"{}\" (use \"#rrggbb\", a name like \"lightblue\", an index 0-255, or \"reset\")",
            crate::sanitize::clean_line(s)
        )
    })
}

/// Checks one theme file on disk (used by `ssodesk config check`).
pub fn check_file(path: &Path) -> Result<(), String> {
    let dir = path.parent().map(Path::to_path_buf);
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| format!("{}: not a theme file name", path.display()))?;
    ThemeSet::new(dir).load(name).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_themes_load_and_differ() {
        let set = ThemeSet::new(None);
        let names = set.names();
        for wanted in ["default", "light", "high-contrast"] {
            assert!(names.iter().any(|n| n == wanted), "{names:?}");
        }
        let default = set.load("default").expect("default");
        let light = set.load("light").expect("light");
        let hc = set.load("high-contrast").expect("high-contrast");
        assert_ne!(default.highlight, light.highlight);
        assert_ne!(default.selection, hc.selection);
        // Every slot of the default theme is set: it is the base of all the others.
        assert!(default.highlight.fg.is_some());
        assert!(default.selection.bg.is_some());
    }

    #[test]
    fn user_theme_overrides_and_may_be_partial() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("light.toml"), "highlight = \"#ff0000\"\n").expect("write");
        std::fs::write(
            dir.path().join("mine.toml"),
            "extends = \"high-contrast\"\naccent = { fg = \"green\", bold = true }\n",
        )
        .expect("write");
        let set = ThemeSet::new(Some(dir.path().to_path_buf()));
        let light = set.load("light").expect("light");
        assert_eq!(light.highlight.fg, Some(Color::Rgb(255, 0, 0)));
        // A user theme without `extends` falls back to the default theme's slots.
        let default = set.load("default").expect("default");
        assert_eq!(light.selection, default.selection);
        let mine = set.load("mine").expect("mine");
        assert_eq!(
            mine.accent,
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
        );
        let hc = set.load("high-contrast").expect("hc");
        assert_eq!(mine.selection, hc.selection);
        assert!(set.names().contains(&"mine".to_string()));
    }

    #[test]
    fn errors_name_the_slot_and_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bad.toml"), "accnt = \"red\"\n").expect("write");
        std::fs::write(dir.path().join("worse.toml"), "accent = \"blu\"\n").expect("write");
        std::fs::write(dir.path().join("broken.toml"), "accent = \n").expect("write");
        let set = ThemeSet::new(Some(dir.path().to_path_buf()));
        let e = set.load("bad").expect_err("unknown slot");
        assert!(e.contains("accnt") && e.contains("bad.toml"), "{e}");
        let e = set.load("worse").expect_err("bad colour");
        assert!(e.contains("accent") && e.contains("blu"), "{e}");
        let e = set.load("broken").expect_err("bad toml");
        assert!(e.contains("broken.toml") && e.contains("line 1"), "{e}");
        let e = set.load("nope").expect_err("unknown theme");
        assert!(e.contains("nope") && e.contains("light"), "{e}");
        assert!(set.load("../etc/passwd").is_err());
    }

    #[test]
    fn monochrome_has_no_colour() {
        let t = Theme::monochrome();
        for slot in SLOTS {
            let mut t = t.clone();
            let s = *t.slot_mut(slot).expect("slot");
            assert!(s.fg.is_none() && s.bg.is_none(), "{slot}");
        }
    }
}

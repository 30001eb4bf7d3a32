//! Everything that can happen in the TUI is an [`Action`]: a key press after the keymap, a
//! command from the palette, or the result a background task sends back through the channel.
//!
//! Variants without data are the bindable ones: their snake_case serde names are what `[keys]`
//! in the config uses (`quit = ["q", "ctrl-c"]`). Variants carrying data are internal and
//! `#[serde(skip)]`, so the config cannot name them.

use serde::{Deserialize, Serialize};

use crate::checks::Finding;
use crate::fixes::Plan;
use crate::kb::Topic;
use crate::report::TenantReport;

use super::clipboard::CopyOutcome;
use super::components::toast::Toast;
use super::engine::{FixResult, FixRun, Recheck};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // Anywhere.
    Quit,
    Help,
    CommandPalette,
    Search,
    Diagnostics,
    // Moving in the focused list, answer or popup.
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    FocusNext,
    FocusPrev,
    Open,
    Back,
    #[serde(rename = "copy")]
    CopyText,
    // Diagnostics and fixes.
    Refresh,
    Fix,
    CopyNote,
    RunChecks,

    // Internal: never bound to a key.
    /// Open this article (index into `KnowledgeBase::articles`) in the answer view.
    #[serde(skip)]
    OpenArticle(usize),
    /// Leave the answer view for the search results.
    #[serde(skip)]
    CloseAnswer,
    /// Copy this article's answer as plain text.
    #[serde(skip)]
    CopyArticle(usize),
    #[serde(skip)]
    SetTheme(String),
    /// Filter search results by topic; `None` shows every topic.
    #[serde(skip)]
    SetTopic(Option<Topic>),
    /// Show this tenant in the diagnostics view (the name may be typed loosely).
    #[serde(skip)]
    SwitchTenant(String),
    /// Fetch and check tenant `i` now.
    #[serde(skip)]
    DiagnoseTenant(usize),
    /// A tenant's fetch finished. `seq` orders fetches: an older result than the one shown
    /// is dropped. `recheck` is set when the fetch follows a fix.
    #[serde(skip)]
    DiagLoaded {
        tenant: usize,
        seq: u64,
        report: Box<TenantReport>,
        recheck: Option<Box<Recheck>>,
    },
    /// Run an article's related checks (index into the articles) on the current tenant.
    #[serde(skip)]
    RunArticleChecks(usize),
    #[serde(skip)]
    ChecksLoaded {
        tenant: usize,
        article: usize,
        report: Box<TenantReport>,
    },
    /// Copy the ticket note of tenant `i`.
    #[serde(skip)]
    CopyReport(usize),
    /// Build the plan for this finding's fix on tenant `i`.
    #[serde(skip)]
    PrepareFix(usize, Box<Finding>),
    #[serde(skip)]
    PlanReady {
        tenant: usize,
        before: Box<Finding>,
        plan: Result<Box<Plan>, String>,
    },
    /// The agent confirmed the fix.
    #[serde(skip)]
    RunFix(Box<FixRun>),
    #[serde(skip)]
    FixDone {
        run: Box<FixRun>,
        result: FixResult,
    },
    /// The rate-limit board changed.
    #[serde(skip)]
    RateLimitsChanged,
    #[serde(skip)]
    Toast(Toast),
    /// A native clipboard tool finished.
    #[serde(skip)]
    CopyDone(CopyOutcome),
    /// A background task finished; it carries the task's own result action. Unwrapping it
    /// is what keeps the pending-work counter (and with it the spinner) honest.
    #[serde(skip)]
    TaskDone {
        id: u64,
        result: Box<Action>,
    },
}

/// Where an action shows up in the help screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Anywhere,
    Move,
    Act,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Anywhere => "Anywhere",
            Group::Move => "Moving around",
            Group::Act => "Acting on the selection",
        }
    }
}

/// One bindable action: its config name, what help says about it, its help group, and
/// whether it still fires while a text input has focus (for keys that do not type text).
pub struct Bindable {
    pub action: Action,
    pub name: &'static str,
    pub help: &'static str,
    /// A word or two for the bottom line.
    pub short: &'static str,
    pub group: Group,
    pub while_typing: bool,
}

macro_rules! bindable {
    ($($action:ident, $name:literal, $short:literal, $help:literal, $group:ident, $typing:literal;)*) => {
        pub static BINDABLE: &[Bindable] = &[
            $(Bindable {
                action: Action::$action,
                name: $name,
                help: $help,
                short: $short,
                group: Group::$group,
                while_typing: $typing,
            },)*
        ];
    };
}

bindable! {
    Quit, "quit", "quit", "Quit ssodesk", Anywhere, true;
    Help, "help", "help", "Show or hide this help", Anywhere, true;
    CommandPalette, "command_palette", "commands", "Open the command palette", Anywhere, true;
    Search, "search", "search", "Go to the search input", Anywhere, true;
    Diagnostics, "diagnostics", "diagnostics", "Show the diagnostics view", Anywhere, true;
    Back, "back", "back", "Go back, clear the input, or close a popup", Anywhere, true;
    Up, "up", "up", "Move up", Move, true;
    Down, "down", "down", "Move down", Move, true;
    PageUp, "page_up", "page up", "Move up one page", Move, true;
    PageDown, "page_down", "page down", "Move down one page", Move, true;
    Top, "top", "top", "Go to the top", Move, false;
    Bottom, "bottom", "bottom", "Go to the bottom", Move, false;
    FocusNext, "focus_next", "focus", "Move focus to the next pane (or complete a command)", Move, true;
    FocusPrev, "focus_prev", "focus back", "Move focus to the previous pane", Move, true;
    Open, "open", "open", "Open the selected answer or run the selected command", Act, true;
    CopyText, "copy", "copy", "Copy the answer as plain text", Act, true;
    Refresh, "refresh", "refresh", "Check the tenant again now", Act, false;
    Fix, "fix", "fix", "Fix the selected finding (shows the exact calls first)", Act, false;
    CopyNote, "copy_note", "ticket note", "Copy a ticket note (Markdown) for the tenant", Act, false;
    RunChecks, "run_checks", "run checks", "In an answer: run its checks on the current tenant", Act, false;
}

impl Action {
    /// The bindable entry for this action, if it is one.
    pub fn bindable(&self) -> Option<&'static Bindable> {
        BINDABLE.iter().find(|b| &b.action == self)
    }

    /// Parses a config name (`"page_down"`); the error lists the valid names.
    pub fn from_name(name: &str) -> Result<Action, String> {
        BINDABLE
            .iter()
            .find(|b| b.name == name)
            .map(|b| b.action.clone())
            .ok_or_else(|| {
                let names: Vec<&str> = BINDABLE.iter().map(|b| b.name).collect();
                format!(
                    "unknown action `{name}` in [keys] (actions: {})",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    #[test]
    fn bindable_names_are_the_serde_names() {
        for b in BINDABLE {
            let json = serde_json::to_string(&b.action).expect("unit variant serializes");
            assert_eq!(json, format!("\"{}\"", b.name));
            let de: StrDeserializer<DeError> = b.name.into_deserializer();
            assert_eq!(Action::deserialize(de).expect("deserializes"), b.action);
        }
    }

    #[test]
    fn internal_actions_cannot_be_named() {
        let de: StrDeserializer<DeError> = "open_article".into_deserializer();
        assert!(Action::deserialize(de).is_err());
        let err = Action::from_name("set_theme").expect_err("internal");
        assert!(
            err.contains("set_theme") && err.contains("page_down"),
            "{err}"
        );
    }
}

//! Copying text: a native clipboard tool where there is one (wl-copy, xclip, xsel, pbcopy,
//! clip.exe), OSC 52 otherwise. OSC 52 asks the terminal itself to set the clipboard, which is
//! what works over SSH (a native tool there would fill the remote host's clipboard).

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;

use crate::config::ClipboardMode;

/// k9s's cap on the encoded OSC 52 payload: terminals drop longer sequences, some silently.
pub const OSC52_MAX_ENCODED: usize = 74_994;

/// How long a native tool may take before the copy counts as failed.
const NATIVE_TIMEOUT: Duration = Duration::from_secs(5);

/// A native clipboard program and its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    pub program: &'static str,
    pub args: &'static [&'static str],
}

const WL_COPY: Tool = Tool {
    program: "wl-copy",
    args: &[],
};
const XCLIP: Tool = Tool {
    program: "xclip",
    args: &["-selection", "clipboard"],
};
const XSEL: Tool = Tool {
    program: "xsel",
    args: &["--clipboard", "--input"],
};
const PBCOPY: Tool = Tool {
    program: "pbcopy",
    args: &[],
};
const CLIP_EXE: Tool = Tool {
    program: "clip.exe",
    args: &[],
};

/// What the environment offers, gathered once so the choice can be tested.
#[derive(Debug, Clone, Default)]
pub struct ClipEnv {
    pub wayland: bool,
    pub x11: bool,
    pub ssh: bool,
    pub macos: bool,
    /// Windows, or Linux under WSL (where clip.exe reaches the Windows clipboard).
    pub windows: bool,
    /// Which of the known tools are on `PATH`.
    pub tools: Vec<&'static str>,
}

impl ClipEnv {
    pub fn detect() -> ClipEnv {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        let tools = [WL_COPY, XCLIP, XSEL, PBCOPY, CLIP_EXE]
            .iter()
            .map(|t| t.program)
            .filter(|p| on_path(p))
            .collect();
        ClipEnv {
            wayland: set("WAYLAND_DISPLAY"),
            x11: set("DISPLAY"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            macos: cfg!(target_os = "macos"),
            windows: cfg!(windows)
                || set("WSL_DISTRO_NAME")
                || Path::new("/proc/sys/fs/binfmt_misc/WSLInterop").exists(),
            tools,
        }
    }

    fn has(&self, tool: &Tool) -> bool {
        self.tools.contains(&tool.program)
    }

    /// The native tool that fits this session, if any.
    pub fn native_tool(&self) -> Option<Tool> {
        if self.macos && self.has(&PBCOPY) {
            return Some(PBCOPY);
        }
        if self.windows && self.has(&CLIP_EXE) {
            return Some(CLIP_EXE);
        }
        if self.wayland && self.has(&WL_COPY) {
            return Some(WL_COPY);
        }
        if self.x11 {
            for t in [XCLIP, XSEL] {
                if self.has(&t) {
                    return Some(t);
                }
            }
        }
        None
    }
}

fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let p = dir.join(program);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(&p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        }
        #[cfg(not(unix))]
        {
            p.is_file()
        }
    })
}

/// How one copy will be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Osc52,
    /// A native tool; `fallback` says whether OSC 52 is tried when it fails.
    Native {
        tool: Tool,
        fallback: bool,
    },
    Impossible(String),
}

/// `auto`: OSC 52 in an SSH session without a forwarded display, else a native tool with OSC
/// 52 as fallback, else OSC 52. `native` and `osc52` mean exactly that.
pub fn plan(mode: ClipboardMode, env: &ClipEnv) -> Plan {
    match mode {
        ClipboardMode::Osc52 => Plan::Osc52,
        ClipboardMode::Native => match env.native_tool() {
            Some(tool) => Plan::Native {
                tool,
                fallback: false,
            },
            None => Plan::Impossible(
                "no clipboard tool found (wl-copy, xclip, xsel, pbcopy, clip.exe); \
                 try --clipboard osc52"
                    .to_string(),
            ),
        },
        ClipboardMode::Auto => {
            if env.ssh && !env.wayland && !env.x11 {
                return Plan::Osc52;
            }
            match env.native_tool() {
                Some(tool) => Plan::Native {
                    tool,
                    fallback: true,
                },
                None => Plan::Osc52,
            }
        }
    }
}

/// The OSC 52 sequence that puts `text` on the clipboard, or why it cannot.
pub fn osc52(text: &str) -> Result<Vec<u8>, String> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    if encoded.len() > OSC52_MAX_ENCODED {
        return Err(format!(
            "too large for OSC 52 ({} encoded, the limit is {}); use a native clipboard tool",
            super::text::human_size(encoded.len()),
            super::text::human_size(OSC52_MAX_ENCODED)
        ));
    }
    let mut seq = Vec::with_capacity(encoded.len() + 10);
    seq.extend_from_slice(b"\x1b]52;c;");
    seq.extend_from_slice(encoded.as_bytes());
    seq.push(0x07);
    Ok(seq)
}

/// What a native copy reported back through the action channel.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyOutcome {
    pub tool: &'static str,
    /// What was copied, in words ("the ticket note for acme"), for the toast.
    pub what: Option<String>,
    pub bytes: usize,
    pub error: Option<String>,
    /// The text again, when OSC 52 should be tried after a failure.
    pub fallback: Option<String>,
}

/// Runs the tool with `text` on its stdin. Output goes to /dev/null: xclip and wl-copy fork
/// a child that keeps serving the selection, and a pipe held by it would never close.
pub async fn copy_native(tool: Tool, text: String, fallback: bool) -> CopyOutcome {
    let bytes = text.len();
    let result = tokio::time::timeout(NATIVE_TIMEOUT, run_tool(tool, &text)).await;
    let error = match result {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(_) => Some(format!(
            "{} did not finish in {NATIVE_TIMEOUT:?}",
            tool.program
        )),
    };
    if let Some(e) = &error {
        tracing::warn!(tool = tool.program, error = %e, "native clipboard copy failed");
    }
    CopyOutcome {
        tool: tool.program,
        what: None,
        bytes,
        fallback: (error.is_some() && fallback).then_some(text),
        error,
    }
}

async fn run_tool(tool: Tool, text: &str) -> Result<(), String> {
    use std::process::Stdio;
    use tokio::io::AsyncWriteExt;

    let mut child = tokio::process::Command::new(tool.program)
        .args(tool.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", tool.program))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .await
            .map_err(|e| format!("writing to {}: {e}", tool.program))?;
        // Dropping stdin closes it: the tool reads to EOF before it copies.
    }
    let status = child
        .wait()
        .await
        .map_err(|e| format!("waiting for {}: {e}", tool.program))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} exited with {status}", tool.program))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(tools: &[&'static str]) -> ClipEnv {
        ClipEnv {
            tools: tools.to_vec(),
            ..ClipEnv::default()
        }
    }

    #[test]
    fn auto_prefers_native_locally_and_osc52_over_ssh() {
        let mut e = env(&["xclip", "wl-copy"]);
        e.x11 = true;
        assert_eq!(
            plan(ClipboardMode::Auto, &e),
            Plan::Native {
                tool: XCLIP,
                fallback: true
            }
        );
        e.wayland = true;
        assert_eq!(
            plan(ClipboardMode::Auto, &e),
            Plan::Native {
                tool: WL_COPY,
                fallback: true
            }
        );
        let mut remote = env(&["xclip"]);
        remote.ssh = true;
        assert_eq!(plan(ClipboardMode::Auto, &remote), Plan::Osc52);
        // No display, no tool: OSC 52.
        assert_eq!(plan(ClipboardMode::Auto, &env(&[])), Plan::Osc52);
    }

    #[test]
    fn forced_modes() {
        let mut e = env(&["xsel"]);
        e.x11 = true;
        assert_eq!(plan(ClipboardMode::Osc52, &e), Plan::Osc52);
        assert_eq!(
            plan(ClipboardMode::Native, &e),
            Plan::Native {
                tool: XSEL,
                fallback: false
            }
        );
        assert!(matches!(
            plan(ClipboardMode::Native, &env(&[])),
            Plan::Impossible(m) if m.contains("xclip")
        ));
        let mut mac = env(&["pbcopy"]);
        mac.macos = true;
        assert_eq!(mac.native_tool(), Some(PBCOPY));
    }

    #[test]
    fn osc52_encodes_and_caps() {
        let seq = osc52("hi").expect("small");
        assert_eq!(seq, b"\x1b]52;c;aGk=\x07");
        let big = "x".repeat(OSC52_MAX_ENCODED);
        let err = osc52(&big).expect_err("too big");
        assert!(err.contains("OSC 52"), "{err}");
        // The largest payload that fits: 3 bytes encode to 4.
        let fits = "x".repeat(OSC52_MAX_ENCODED / 4 * 3);
        assert!(osc52(&fits).is_ok());
    }

    #[tokio::test]
    async fn native_failure_offers_fallback() {
        let tool = Tool {
            program: "ssodesk-no-such-clipboard-tool",
            args: &[],
        };
        let out = copy_native(tool, "text".into(), true).await;
        assert!(out.error.is_some());
        assert_eq!(out.fallback.as_deref(), Some("text"));
        let out = copy_native(tool, "text".into(), false).await;
        assert!(out.fallback.is_none());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn native_tool_receives_the_text_on_stdin() {
        // `sh -c 'cat > FILE'` stands in for a clipboard tool.
        let dir = tempfile::tempdir().expect("tempdir");
        let out_file = dir.path().join("clip.txt");
        let script = format!("cat > '{}'", out_file.display());
        let script: &'static str = Box::leak(script.into_boxed_str());
        let args: &'static [&'static str] = Box::leak(vec!["-c", script].into_boxed_slice());
        let tool = Tool {
            program: "sh",
            args,
        };
        let out = copy_native(tool, "Zoë 山田\nline 2".into(), true).await;
        assert_eq!(out.error, None);
        assert_eq!(
            std::fs::read_to_string(out_file).expect("written"),
            "Zoë 山田\nline 2"
        );
    }
}

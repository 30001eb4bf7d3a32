//! Where ssodesk reads and writes files: XDG on every Unix (macOS included, as gitui and
//! television do, since terminal users expect `~/.config`), the platform folders on Windows.

use std::path::PathBuf;

use etcetera::BaseStrategy;

const APP: &str = "ssodesk";

fn strategy() -> Option<impl BaseStrategy> {
    etcetera::choose_base_strategy().ok()
}

/// The config file: `$SSODESK_CONFIG`, else `<config dir>/ssodesk/config.toml`.
pub fn config_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SSODESK_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    config_dir().map(|d| d.join("config.toml"))
}

/// `<config dir>/ssodesk`, which also holds user `themes/`.
pub fn config_dir() -> Option<PathBuf> {
    strategy().map(|s| s.config_dir().join(APP))
}

/// `<data dir>/ssodesk`: the audit log lives here.
pub fn data_dir() -> Option<PathBuf> {
    strategy().map(|s| s.data_dir().join(APP))
}

/// `<state dir>/ssodesk` (falls back to the data dir where the platform has no state dir):
/// the log file lives here.
pub fn state_dir() -> Option<PathBuf> {
    strategy().map(|s| s.state_dir().unwrap_or_else(|| s.data_dir()).join(APP))
}

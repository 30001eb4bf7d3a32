//! Rate-limit state per API root, shared with whoever wants to show it (the TUI says "waiting
//! for Okta's rate limit until 10:42:07").
//!
//! The key is the API root a client was built with (scheme, host, port and base path). For a
//! real tenant that is one host per Okta org; the demo serves many tenants on one port under
//! path prefixes, and keying by root keeps their limits apart as separate orgs' would be.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::watch;

use super::error::Provider;
use super::retry::RateHeaders;

/// What is known about one API root's rate limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RateLimitInfo {
    pub provider: Option<Provider>,
    /// The last tenant that called this root (for display).
    pub tenant: Option<String>,
    pub limit: Option<u64>,
    /// Calls left in the window: the server's last figure minus the calls sent since.
    pub remaining: Option<u64>,
    pub reset_at: Option<DateTime<Utc>>,
    /// Set while a call is held back because of the limit.
    pub waiting_until: Option<DateTime<Utc>>,
    /// 429 answers seen.
    pub throttled: u64,
    pub updated_at: Option<DateTime<Utc>>,
    /// Earliest time the next call may go out when calls are being spread.
    #[serde(skip)]
    next_slot: Option<DateTime<Utc>>,
}

/// Shared, observable rate-limit state of every API root this process called.
#[derive(Clone)]
pub struct RateLimitBoard {
    inner: Arc<BoardInner>,
}

struct BoardInner {
    map: Mutex<BTreeMap<String, RateLimitInfo>>,
    changes: watch::Sender<u64>,
}

impl Default for RateLimitBoard {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for RateLimitBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitBoard").finish_non_exhaustive()
    }
}

impl RateLimitBoard {
    pub fn new() -> Self {
        Self {
            inner: Arc::new(BoardInner {
                map: Mutex::new(BTreeMap::new()),
                changes: watch::channel(0).0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, RateLimitInfo>> {
        // A panic while holding the lock leaves plain numbers behind: still usable.
        self.inner.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every API root's state, keyed by root URL.
    pub fn snapshot(&self) -> BTreeMap<String, RateLimitInfo> {
        self.lock().clone()
    }

    pub fn get(&self, key: &str) -> Option<RateLimitInfo> {
        self.lock().get(key).cloned()
    }

    /// The roots where a call is waiting now, with until when.
    pub fn waiting(&self) -> Vec<(String, RateLimitInfo)> {
        let now = Utc::now();
        self.lock()
            .iter()
            .filter(|(_, i)| i.waiting_until.is_some_and(|t| t > now))
            .map(|(k, i)| (k.clone(), i.clone()))
            .collect()
    }

    /// A receiver that changes whenever any state changes (the value is a counter).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    /// Changes one root's state; subscribers hear of it only when something worth showing
    /// changed (a wait, a 429, a new limit or window), not on every call.
    fn update<R>(&self, key: &str, f: impl FnOnce(&mut RateLimitInfo) -> R) -> R {
        let (r, changed) = {
            let mut map = self.lock();
            let info = map.entry(key.to_string()).or_default();
            let before = (
                info.waiting_until,
                info.throttled,
                info.limit,
                info.reset_at,
            );
            let r = f(info);
            (
                r,
                before
                    != (
                        info.waiting_until,
                        info.throttled,
                        info.limit,
                        info.reset_at,
                    ),
            )
        };
        if changed {
            self.inner.changes.send_modify(|n| *n = n.wrapping_add(1));
        }
        r
    }

    /// Reserves one call to `key` and says how long to hold it first.
    pub(crate) fn reserve(
        &self,
        key: &str,
        provider: Provider,
        tenant: &str,
        max_wait: Duration,
    ) -> Duration {
        let now = Utc::now();
        self.update(key, |info| {
            info.provider = Some(provider);
            info.tenant = Some(tenant.to_string());
            let delay = pace(info, now);
            let delay = delay.min(max_wait);
            info.waiting_until = if delay.is_zero() {
                None
            } else {
                Some(now + chrono::Duration::from_std(delay).unwrap_or_default())
            };
            delay
        })
    }

    pub(crate) fn done_waiting(&self, key: &str) {
        let now = Utc::now();
        self.update(key, |info| {
            if info
                .waiting_until
                .is_some_and(|t| t <= now + chrono::Duration::milliseconds(5))
            {
                info.waiting_until = None;
            }
        });
    }

    /// Records what an answer's headers said; `throttled` for a 429.
    pub(crate) fn record(
        &self,
        key: &str,
        headers: &RateHeaders,
        throttled: bool,
        retry_after: Option<Duration>,
    ) {
        if headers.is_empty() && !throttled {
            return;
        }
        let now = Utc::now();
        self.update(key, |info| {
            info.updated_at = Some(now);
            if headers.limit.is_some() {
                info.limit = headers.limit;
            }
            if headers.remaining.is_some() {
                info.remaining = headers.remaining;
            }
            if let Some(r) = headers.reset_in {
                info.reset_at = Some(now + chrono::Duration::from_std(r).unwrap_or_default());
            }
            if throttled {
                info.throttled += 1;
                info.remaining = Some(0);
                if headers.reset_in.is_none()
                    && let Some(r) = retry_after
                {
                    info.reset_at = Some(now + chrono::Duration::from_std(r).unwrap_or_default());
                }
            }
        });
    }
}

/// How long the next call must wait, given what is left of the window. With nothing left it
/// waits for the reset; when little is left the calls are spread evenly until the reset, so
/// a sweep slows down instead of running into 429s.
fn pace(info: &mut RateLimitInfo, now: DateTime<Utc>) -> Duration {
    let Some(reset_at) = info.reset_at.filter(|r| *r > now) else {
        // The window is over (or unknown): whatever was left has been refilled.
        info.remaining = None;
        info.next_slot = None;
        return Duration::ZERO;
    };
    let Some(remaining) = info.remaining else {
        return Duration::ZERO;
    };
    let to_reset = (reset_at - now).to_std().unwrap_or_default();
    if remaining == 0 {
        // Everyone waiting goes at the reset, a little spread so they do not collide.
        return to_reset + Duration::from_millis(fastrand::u64(0..150));
    }
    let low_water = info.limit.map(|l| (l / 10).max(2)).unwrap_or(2);
    info.remaining = Some(remaining - 1);
    if remaining > low_water {
        return Duration::ZERO;
    }
    // Spread what is left evenly over the time from this call's slot to the reset.
    let slot = info.next_slot.filter(|s| *s > now).unwrap_or(now);
    let spacing = (reset_at - slot).to_std().unwrap_or_default() / (remaining as u32).max(1);
    info.next_slot = Some(slot + chrono::Duration::from_std(spacing).unwrap_or_default());
    (slot - now).to_std().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(limit: u64, remaining: u64, reset_in_secs: i64, now: DateTime<Utc>) -> RateLimitInfo {
        RateLimitInfo {
            limit: Some(limit),
            remaining: Some(remaining),
            reset_at: Some(now + chrono::Duration::seconds(reset_in_secs)),
            ..RateLimitInfo::default()
        }
    }

    #[test]
    fn plenty_left_goes_now() {
        let now = Utc::now();
        let mut i = info(600, 500, 30, now);
        assert_eq!(pace(&mut i, now), Duration::ZERO);
        assert_eq!(i.remaining, Some(499));
    }

    #[test]
    fn nothing_left_waits_for_reset() {
        let now = Utc::now();
        let mut i = info(600, 0, 20, now);
        let d = pace(&mut i, now);
        assert!(
            d >= Duration::from_secs(20) && d < Duration::from_millis(20_200),
            "{d:?}"
        );
    }

    #[test]
    fn little_left_is_spread_until_reset() {
        let now = Utc::now();
        let mut i = info(100, 4, 40, now);
        let waits: Vec<Duration> = (0..4).map(|_| pace(&mut i, now)).collect();
        assert_eq!(waits[0], Duration::ZERO);
        let secs: Vec<u64> = waits.iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, vec![0, 10, 20, 30]);
    }

    #[test]
    fn expired_window_forgets_remaining() {
        let now = Utc::now();
        let mut i = info(100, 0, -1, now);
        assert_eq!(pace(&mut i, now), Duration::ZERO);
        assert_eq!(i.remaining, None);
    }

    #[test]
    fn board_records_and_notifies() {
        let b = RateLimitBoard::new();
        let mut rx = b.subscribe();
        b.record(
            "http://h/okta/acme",
            &RateHeaders {
                limit: Some(10),
                remaining: Some(0),
                reset_in: Some(Duration::from_secs(5)),
            },
            true,
            None,
        );
        assert!(rx.has_changed().unwrap_or(false));
        rx.mark_unchanged();
        // Another call in the same window changes nothing worth a redraw.
        b.record(
            "http://h/okta/acme",
            &RateHeaders {
                limit: Some(10),
                remaining: Some(0),
                reset_in: None,
            },
            false,
            None,
        );
        assert!(!rx.has_changed().unwrap_or(true));
        let i = b.get("http://h/okta/acme").expect("recorded");
        assert_eq!((i.limit, i.remaining, i.throttled), (Some(10), Some(0), 1));
        let d = b.reserve(
            "http://h/okta/acme",
            Provider::Okta,
            "acme",
            Duration::from_secs(60),
        );
        assert!(d > Duration::from_secs(4));
        assert_eq!(b.waiting().len(), 1);
        // The cap bounds the wait.
        let d = b.reserve(
            "http://h/okta/acme",
            Provider::Okta,
            "acme",
            Duration::from_secs(1),
        );
        assert_eq!(d, Duration::from_secs(1));
    }
}

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
    /// Set while a call is held back because of the limit: until when it waits.
    pub waiting_until: Option<DateTime<Utc>>,
    /// 429 answers seen.
    pub throttled: u64,
    /// Calls held back so far to stay under the limit.
    pub held: u64,
    pub updated_at: Option<DateTime<Utc>>,
    /// Earliest time the next call may go out when calls are being spread.
    #[serde(skip)]
    next_slot: Option<DateTime<Utc>>,
    /// Calls sent and not answered yet: the server may not have counted them.
    #[serde(skip)]
    in_flight: u64,
    /// Some answer came back (with or without rate-limit headers).
    #[serde(skip)]
    answered: bool,
    /// `X-Rate-Limit-Reset` of the window `remaining` belongs to.
    #[serde(skip)]
    window: Option<u64>,
}

impl RateLimitInfo {
    /// "waiting for the Okta API rate limit until 10:42:07 UTC" while a call is held back.
    pub fn waiting_message(&self) -> Option<String> {
        let until = self.waiting_until.filter(|t| *t > Utc::now())?;
        let api = self.provider.map_or("API", Provider::label);
        Some(format!(
            "waiting for the {api} rate limit until {}",
            until.format("%H:%M:%S UTC")
        ))
    }
}

/// What a call does about the rate limit before it goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hold {
    /// Go after this delay (zero: now); the call is counted against the window.
    Go(Duration),
    /// Wait this long, then ask again: the window is used up, or its limit is being learned.
    Ask(Duration),
}

/// One call counted as out (from [`Hold::Go`] until its answer is recorded). Dropping it
/// unrecorded (no answer, or the caller gave up and dropped the call) releases it, so a
/// cancelled call never leaves the board waiting for an answer that will not come.
pub(crate) struct Slot<'a> {
    board: &'a RateLimitBoard,
    key: &'a str,
    open: bool,
}

impl<'a> Slot<'a> {
    pub(crate) fn new(board: &'a RateLimitBoard, key: &'a str) -> Self {
        Self {
            board,
            key,
            open: true,
        }
    }

    /// The answer came: what its headers said.
    pub(crate) fn answered(
        mut self,
        headers: &RateHeaders,
        throttled: bool,
        retry_after: Option<Duration>,
    ) {
        self.open = false;
        self.board.record(self.key, headers, throttled, retry_after);
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if self.open {
            self.board.release(self.key);
        }
    }
}

/// How often a held call asks again while the answer it waits for is out.
const POLL: Duration = Duration::from_millis(50);

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

    /// The root of `tenant` whose calls wait longest now, if any (for "waiting until
    /// 10:42:07" beside that tenant).
    pub fn waiting_for(&self, tenant: &str) -> Option<RateLimitInfo> {
        self.waiting()
            .into_iter()
            .map(|(_, i)| i)
            .filter(|i| i.tenant.as_deref() == Some(tenant))
            .max_by_key(|i| i.waiting_until)
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

    /// Asks whether one call to `key` may go. `asked_before` is true when the same call asks
    /// again after an [`Hold::Ask`]. A wait longer than `max_wait` is not waited for: the call
    /// goes, and the server's 429 (with its reset) makes the error that says until when.
    pub(crate) fn reserve(
        &self,
        key: &str,
        provider: Provider,
        tenant: &str,
        max_wait: Duration,
        asked_before: bool,
    ) -> Hold {
        let now = Utc::now();
        self.update(key, |info| {
            info.provider = Some(provider);
            info.tenant = Some(tenant.to_string());
            let hold = match pace(info, provider, now) {
                Hold::Ask(d) if d > max_wait => {
                    info.in_flight += 1;
                    Hold::Go(Duration::ZERO)
                }
                h => h,
            };
            let delay = match hold {
                Hold::Go(d) | Hold::Ask(d) => d,
            };
            if !delay.is_zero() && !asked_before {
                info.held += 1;
            }
            info.waiting_until = match hold {
                Hold::Go(d) if d.is_zero() => None,
                // Waiting a moment for an answer that is out: not worth a redraw.
                Hold::Ask(d) if d <= POLL => info.waiting_until,
                // Held: until the window's reset when it is known, else for now.
                Hold::Ask(_) if info.remaining == Some(0) => info.reset_at.filter(|r| *r > now).or(
                    Some(now + chrono::Duration::from_std(delay).unwrap_or_default()),
                ),
                _ => Some(now + chrono::Duration::from_std(delay).unwrap_or_default()),
            };
            hold
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

    /// A call that went out got no answer (connection failed, timeout, too large).
    pub(crate) fn release(&self, key: &str) {
        self.update(key, |info| {
            info.in_flight = info.in_flight.saturating_sub(1);
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
        let now = Utc::now();
        self.update(key, |info| {
            info.in_flight = info.in_flight.saturating_sub(1);
            info.answered = true;
            if headers.is_empty() && !throttled {
                return;
            }
            info.updated_at = Some(now);
            if headers.limit.is_some() {
                info.limit = headers.limit;
            }
            // The server counted this call; the calls still out may not be counted yet.
            let server_left = headers.remaining.map(|r| r.saturating_sub(info.in_flight));
            let reset_at = headers
                .reset_in
                .map(|r| now + chrono::Duration::from_std(r).unwrap_or_default());
            match (headers.reset_epoch, info.window) {
                // A later answer of the same window can only lower what is left; an earlier
                // one arriving late must not raise it again.
                (Some(w), Some(cur)) if w == cur => {
                    info.remaining = min_known(info.remaining, server_left);
                }
                // An answer of a window that is already over.
                (Some(w), Some(cur)) if w < cur => {}
                (Some(w), _) => {
                    info.window = Some(w);
                    info.remaining = server_left;
                    info.reset_at = reset_at;
                    info.next_slot = None;
                }
                (None, _) => {
                    info.remaining = min_known(info.remaining, server_left);
                    if reset_at.is_some() {
                        info.reset_at = reset_at;
                    }
                }
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

fn min_known(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether the next call may go, given what is known of the window:
///
/// - nothing known yet: Okta (which always sends `X-Rate-Limit-*`) lets one call go first
///   and holds the rest until its answer tells the limit; other APIs go;
/// - a window that ended: the whole limit again, minus the calls still out;
/// - nothing left: wait for the reset (or, while the new window is unknown, for an answer);
/// - little left: the calls left are spread evenly until the reset, so a sweep slows down
///   before it runs into 429s instead of after.
fn pace(info: &mut RateLimitInfo, provider: Provider, now: DateTime<Utc>) -> Hold {
    if info.reset_at.is_some_and(|r| r <= now) {
        info.reset_at = None;
        info.next_slot = None;
        info.remaining = info.limit.map(|l| l.saturating_sub(info.in_flight));
    }
    let Some(remaining) = info.remaining else {
        if provider == Provider::Okta && !info.answered && info.in_flight > 0 {
            return Hold::Ask(POLL);
        }
        info.in_flight += 1;
        return Hold::Go(Duration::ZERO);
    };
    if remaining == 0 {
        return match info.reset_at {
            // Everyone waiting asks again at the reset, a little spread.
            Some(r) => Hold::Ask(
                (r - now).to_std().unwrap_or_default()
                    + Duration::from_millis(fastrand::u64(0..150)),
            ),
            // The window is new and its reset unknown: an answer will tell.
            None if info.in_flight > 0 => Hold::Ask(POLL),
            // Nothing out that could tell: one call goes to learn it.
            None => {
                info.in_flight += 1;
                Hold::Go(Duration::ZERO)
            }
        };
    }
    info.remaining = Some(remaining - 1);
    info.in_flight += 1;
    let Some(reset_at) = info.reset_at else {
        return Hold::Go(Duration::ZERO);
    };
    let low_water = info.limit.map(|l| (l / 10).max(2)).unwrap_or(2);
    if remaining > low_water {
        return Hold::Go(Duration::ZERO);
    }
    // Spread what is left evenly over the time from this call's slot to the reset.
    let slot = info.next_slot.filter(|s| *s > now).unwrap_or(now);
    let spacing = (reset_at - slot).to_std().unwrap_or_default() / (remaining as u32).max(1);
    info.next_slot = Some(slot + chrono::Duration::from_std(spacing).unwrap_or_default());
    Hold::Go((slot - now).to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(limit: u64, remaining: u64, reset_in_secs: i64, now: DateTime<Utc>) -> RateLimitInfo {
        RateLimitInfo {
            limit: Some(limit),
            remaining: Some(remaining),
            reset_at: Some(now + chrono::Duration::seconds(reset_in_secs)),
            answered: true,
            ..RateLimitInfo::default()
        }
    }

    fn headers(limit: u64, remaining: u64, reset_in: u64, epoch: u64) -> RateHeaders {
        RateHeaders {
            limit: Some(limit),
            remaining: Some(remaining),
            reset_in: Some(Duration::from_secs(reset_in)),
            reset_epoch: Some(epoch),
        }
    }

    const KEY: &str = "http://h/okta/acme";

    fn reserve(b: &RateLimitBoard, max_wait: u64) -> Hold {
        b.reserve(
            KEY,
            Provider::Okta,
            "acme",
            Duration::from_secs(max_wait),
            false,
        )
    }

    #[test]
    fn plenty_left_goes_now() {
        let now = Utc::now();
        let mut i = info(600, 500, 30, now);
        assert_eq!(pace(&mut i, Provider::Okta, now), Hold::Go(Duration::ZERO));
        assert_eq!((i.remaining, i.in_flight), (Some(499), 1));
    }

    #[test]
    fn nothing_left_waits_for_reset_then_asks_again() {
        let now = Utc::now();
        let mut i = info(600, 0, 20, now);
        let Hold::Ask(d) = pace(&mut i, Provider::Okta, now) else {
            panic!("held");
        };
        assert!(
            d >= Duration::from_secs(20) && d < Duration::from_millis(20_200),
            "{d:?}"
        );
        assert_eq!(i.in_flight, 0, "a held call is not counted");
    }

    #[test]
    fn little_left_is_spread_until_reset() {
        let now = Utc::now();
        let mut i = info(100, 4, 40, now);
        let secs: Vec<u64> = (0..4)
            .map(|_| match pace(&mut i, Provider::Okta, now) {
                Hold::Go(d) => d.as_secs(),
                Hold::Ask(_) => 999,
            })
            .collect();
        assert_eq!(secs, vec![0, 10, 20, 30]);
    }

    #[test]
    fn an_ended_window_refills_from_the_limit_minus_calls_still_out() {
        let now = Utc::now();
        let mut i = info(5, 0, -1, now);
        i.in_flight = 2;
        assert_eq!(pace(&mut i, Provider::Okta, now), Hold::Go(Duration::ZERO));
        assert_eq!(i.remaining, Some(2), "5 - 2 out - this one");
        assert_eq!(i.reset_at, None);
        pace(&mut i, Provider::Okta, now);
        pace(&mut i, Provider::Okta, now);
        // Used up, the new window's reset unknown, answers out: wait for one.
        assert_eq!(pace(&mut i, Provider::Okta, now), Hold::Ask(POLL));
        // Nothing out that could tell: one goes to learn it.
        i.in_flight = 0;
        assert_eq!(pace(&mut i, Provider::Okta, now), Hold::Go(Duration::ZERO));
    }

    #[test]
    fn okta_learns_the_limit_with_one_call_first() {
        let b = RateLimitBoard::new();
        assert_eq!(reserve(&b, 60), Hold::Go(Duration::ZERO));
        assert_eq!(
            reserve(&b, 60),
            Hold::Ask(POLL),
            "the rest wait for its answer"
        );
        b.record(KEY, &headers(3, 2, 10, 1000), false, None);
        assert_eq!(reserve(&b, 60), Hold::Go(Duration::ZERO));
        // Other APIs send no such headers: they are not held.
        let other = b.reserve("http://h/sp", Provider::Sp, "acme", Duration::ZERO, false);
        let again = b.reserve("http://h/sp", Provider::Sp, "acme", Duration::ZERO, false);
        assert_eq!(
            (other, again),
            (Hold::Go(Duration::ZERO), Hold::Go(Duration::ZERO))
        );
    }

    #[test]
    fn a_late_answer_of_the_window_does_not_raise_what_is_left() {
        let b = RateLimitBoard::new();
        reserve(&b, 60);
        b.record(KEY, &headers(10, 9, 10, 1000), false, None);
        for _ in 0..4 {
            reserve(&b, 60);
        }
        // Answered out of order: the one the server counted last comes first.
        b.record(KEY, &headers(10, 5, 10, 1000), false, None);
        b.record(KEY, &headers(10, 8, 10, 1000), false, None);
        let i = b.get(KEY).expect("recorded");
        assert!(i.remaining <= Some(5), "{i:?}");
        // An answer of an older window changes nothing; a newer window starts afresh.
        b.record(KEY, &headers(10, 9, 10, 990), false, None);
        assert!(b.get(KEY).expect("recorded").remaining <= Some(5));
        b.record(KEY, &headers(10, 9, 20, 1010), false, None);
        assert_eq!(b.get(KEY).expect("recorded").window, Some(1010));
    }

    #[test]
    fn board_records_holds_and_notifies() {
        let b = RateLimitBoard::new();
        let mut rx = b.subscribe();
        b.record(KEY, &headers(10, 0, 5, 1000), true, None);
        assert!(rx.has_changed().unwrap_or(false));
        rx.mark_unchanged();
        // Another answer of the same window changes nothing worth a redraw.
        b.record(
            KEY,
            &RateHeaders {
                limit: Some(10),
                remaining: Some(0),
                reset_in: None,
                reset_epoch: Some(1000),
            },
            false,
            None,
        );
        assert!(!rx.has_changed().unwrap_or(true));
        let i = b.get(KEY).expect("recorded");
        assert_eq!((i.limit, i.remaining, i.throttled), (Some(10), Some(0), 1));
        let Hold::Ask(d) = reserve(&b, 60) else {
            panic!("held");
        };
        assert!(d > Duration::from_secs(4));
        let waiting = b.waiting_for("acme").expect("waiting");
        assert_eq!(waiting.held, 1);
        let msg = waiting.waiting_message().expect("message");
        assert!(
            msg.starts_with("waiting for the Okta API rate limit until "),
            "{msg}"
        );
        assert!(b.waiting_for("globex").is_none());
        // A reset further away than the caller waits: the call goes, the server answers.
        assert_eq!(reserve(&b, 1), Hold::Go(Duration::ZERO));
    }
}

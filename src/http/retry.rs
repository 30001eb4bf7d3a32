//! When to try again: `Retry-After`, Okta's `X-Rate-Limit-*` headers, jittered backoff.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// Which failures a request may be repeated after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// Safe (read-only) requests: connection errors, 5xx and 429.
    Safe,
    /// Only when the server certainly did not act: no connection was made, or it answered
    /// 429. For writes whose caller accepts that (never a blind retry after a 5xx).
    NotProcessed,
    /// Never: a fix's POST/PATCH by default.
    Never,
}

impl RetryPolicy {
    /// GET and HEAD are safe; everything else is never retried unless the caller says so.
    pub fn for_method(method: &reqwest::Method) -> Self {
        if *method == reqwest::Method::GET || *method == reqwest::Method::HEAD {
            RetryPolicy::Safe
        } else {
            RetryPolicy::Never
        }
    }

    pub fn on_connect_error(self) -> bool {
        !matches!(self, RetryPolicy::Never)
    }

    pub fn on_status(self, status: u16) -> bool {
        match self {
            RetryPolicy::Safe => status == 429 || (500..=599).contains(&status),
            RetryPolicy::NotProcessed => status == 429,
            RetryPolicy::Never => false,
        }
    }
}

/// `Retry-After`: delay seconds or an HTTP date (RFC 9110 10.2.3). A date in the past is zero.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    // A day at most: a hostile or broken value must not become a wait no clock can hold.
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(86_400)));
    }
    // Some servers send fractional seconds; accept them rather than ignoring the hint.
    if let Ok(secs) = v.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs.min(86_400.0)));
        }
        return None;
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// What Okta's rate-limit headers say about the bucket this call used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateHeaders {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// Seconds from now until the window resets (already corrected for clock skew).
    pub reset_in: Option<Duration>,
    /// `X-Rate-Limit-Reset` as sent (epoch seconds on the server's clock): it names the
    /// window, so answers of one window can be told from the next one's.
    pub reset_epoch: Option<u64>,
}

impl RateHeaders {
    pub fn is_empty(&self) -> bool {
        self.limit.is_none() && self.remaining.is_none() && self.reset_in.is_none()
    }
}

/// Reads `X-Rate-Limit-Limit/Remaining/Reset`. The reset is epoch seconds on the server's
/// clock, so it is measured against the answer's `Date` header when there is one.
pub fn parse_rate_headers(headers: &HeaderMap, now: SystemTime) -> RateHeaders {
    let num = |name: &str| -> Option<u64> {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse::<u64>().ok())
    };
    let reset_epoch = num("x-rate-limit-reset");
    let reset_in = reset_epoch.map(|reset| {
        let server_now = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| httpdate::parse_http_date(s).ok())
            .unwrap_or(now);
        let server_secs = server_now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        // The Date header has whole seconds; round the wait up so it never ends early.
        let secs = (reset as f64 - server_secs.floor()).max(0.0);
        Duration::from_secs_f64(secs.min(86_400.0))
    });
    RateHeaders {
        limit: num("x-rate-limit-limit"),
        remaining: num("x-rate-limit-remaining"),
        reset_in,
        reset_epoch,
    }
}

/// Exponential backoff with equal jitter: half the step is fixed, half random, so parallel
/// callers spread out while each still waits a minimum.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(16));
    let step = base.saturating_mul(factor).min(max);
    let half = step / 2;
    half + half.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_date() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(
            parse_retry_after("18446744073709551615", now),
            Some(Duration::from_secs(86_400))
        );
    }

    #[test]
    fn okta_reset_measured_against_date_header() {
        let local = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let server = local + Duration::from_secs(300); // server clock 5 minutes ahead
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", HeaderValue::from_static("600"));
        h.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        let reset = (1_700_000_000u64 + 300 + 12).to_string();
        h.insert("x-rate-limit-reset", HeaderValue::from_str(&reset).unwrap());
        h.insert(
            reqwest::header::DATE,
            HeaderValue::from_str(&httpdate::fmt_http_date(server)).unwrap(),
        );
        let r = parse_rate_headers(&h, local);
        assert_eq!(r.limit, Some(600));
        assert_eq!(r.remaining, Some(0));
        assert_eq!(r.reset_in, Some(Duration::from_secs(12)));
        h.remove(reqwest::header::DATE);
        // Without a Date header the local clock is used: 312 s.
        assert_eq!(
            parse_rate_headers(&h, local).reset_in,
            Some(Duration::from_secs(312))
        );
        assert!(parse_rate_headers(&HeaderMap::new(), local).is_empty());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        for _ in 0..50 {
            let b0 = backoff(0, base, max);
            assert!(b0 >= Duration::from_millis(50) && b0 <= base);
            let b3 = backoff(3, base, max);
            assert!(b3 >= Duration::from_millis(400) && b3 <= Duration::from_millis(800));
            assert!(backoff(30, base, max) <= max);
        }
    }

    #[test]
    fn policy_by_method_and_status() {
        let get = RetryPolicy::for_method(&reqwest::Method::GET);
        let post = RetryPolicy::for_method(&reqwest::Method::POST);
        assert!(get.on_status(503) && get.on_status(429) && !get.on_status(404));
        assert!(!post.on_status(500) && !post.on_status(429) && !post.on_connect_error());
        assert!(RetryPolicy::NotProcessed.on_status(429));
        assert!(!RetryPolicy::NotProcessed.on_status(500));
    }
}

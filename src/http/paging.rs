//! Pagination helpers for the four styles: Okta `Link` headers, Graph `@odata.nextLink`, SCIM
//! `startIndex`/`count`/`totalResults` (1-based) and the SP's `next_cursor`.

use reqwest::Url;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde_json::Value;

/// A list read page by page; `truncated` when the page cap stopped it early, so a check never
/// mistakes a cut list for a complete one ("user missing" when it was on page 51).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub pages: u32,
    pub truncated: bool,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            pages: 0,
            truncated: false,
        }
    }
}

impl<T> Listing<T> {
    pub fn complete(items: Vec<T>) -> Self {
        Self {
            items,
            pages: 1,
            truncated: false,
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<'a, T> IntoIterator for &'a Listing<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// The `rel="next"` target of RFC 8288 `Link` headers (several headers or one comma-joined
/// header, quoted or bare `rel`, several relation types in one `rel`).
pub fn link_next(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(parse_link_next)
}

pub fn parse_link_next(value: &str) -> Option<String> {
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let target = &after[..close];
        let params_and_more = &after[close + 1..];
        // Parameters run until the next link starts.
        let params_end = params_and_more.find('<').unwrap_or(params_and_more.len());
        let params = &params_and_more[..params_end];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            let Some((k, v)) = p.split_once('=') else {
                return false;
            };
            k.trim().eq_ignore_ascii_case("rel")
                && v.trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.trim().to_string());
        }
        rest = &params_and_more[params_end..];
    }
    None
}

/// A next-page link must stay on the origin the first request went to: the credentials go
/// with it, and a hostile server must not be able to send them elsewhere.
pub fn same_origin(base: &Url, next: &Url) -> bool {
    base.scheme() == next.scheme()
        && base.host_str() == next.host_str()
        && base.port_or_known_default() == next.port_or_known_default()
}

/// A SCIM count that may arrive as a number or a numeric string.
pub fn lenient_count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The next SCIM `startIndex`, or `None` when this page was the last. `start` is 1-based.
pub fn scim_next_start(start: u64, got: usize, total: Option<u64>) -> Option<u64> {
    if got == 0 {
        return None;
    }
    // A hostile `startIndex` near u64::MAX must not overflow.
    let next = start.max(1).checked_add(got as u64)?;
    match total {
        Some(t) if next > t => None,
        _ => Some(next),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn link_header_forms() {
        assert_eq!(
            parse_link_next(
                r#"<https://a.okta.com/api/v1/apps/x/users?limit=2>; rel="self", <https://a.okta.com/api/v1/apps/x/users?after=00u2&limit=2>; rel="next""#
            )
            .as_deref(),
            Some("https://a.okta.com/api/v1/apps/x/users?after=00u2&limit=2")
        );
        assert_eq!(
            parse_link_next("<https://h/p?a=1,2>;rel=next").as_deref(),
            Some("https://h/p?a=1,2")
        );
        assert_eq!(
            parse_link_next(r#"<https://h/n>; title="x"; rel="prev next""#).as_deref(),
            Some("https://h/n")
        );
        assert_eq!(parse_link_next(r#"<https://h/s>; rel="self""#), None);
        assert_eq!(parse_link_next("garbage <unclosed"), None);
        assert_eq!(parse_link_next(""), None);
    }

    #[test]
    fn link_next_reads_every_header() {
        let mut h = HeaderMap::new();
        h.append(
            "link",
            HeaderValue::from_static(r#"<https://h/a>; rel="self""#),
        );
        h.append(
            "link",
            HeaderValue::from_static(r#"<https://h/b>; rel="next""#),
        );
        assert_eq!(link_next(&h).as_deref(), Some("https://h/b"));
    }

    #[test]
    fn origin_check() {
        let base = Url::parse("https://acme.okta.com/api/v1/apps").unwrap();
        assert!(same_origin(
            &base,
            &Url::parse("https://acme.okta.com:443/x").unwrap()
        ));
        assert!(!same_origin(
            &base,
            &Url::parse("https://evil.example/x").unwrap()
        ));
        assert!(!same_origin(
            &base,
            &Url::parse("http://acme.okta.com/x").unwrap()
        ));
    }

    #[test]
    fn scim_counts_and_next() {
        assert_eq!(lenient_count(Some(&serde_json::json!(5))), Some(5));
        assert_eq!(lenient_count(Some(&serde_json::json!("5"))), Some(5));
        assert_eq!(lenient_count(Some(&serde_json::json!("five"))), None);
        assert_eq!(lenient_count(None), None);
        assert_eq!(scim_next_start(1, 2, Some(5)), Some(3));
        assert_eq!(scim_next_start(5, 1, Some(5)), None);
        assert_eq!(scim_next_start(1, 0, Some(5)), None);
        assert_eq!(scim_next_start(1, 2, None), Some(3));
        assert_eq!(scim_next_start(0, 2, Some(3)), Some(3));
        assert_eq!(scim_next_start(u64::MAX, 2, None), None);
    }
}

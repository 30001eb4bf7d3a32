//! The SP's SCIM endpoint as the IdP sees it: reachable, accepting the token, and answering a
//! filter for a missing user the way Entra and Okta require.

use super::util::skipped;
use super::{Finding, Status};
use crate::http::ErrorKind;
use crate::snapshot::Snapshot;

pub fn endpoint(snap: &Snapshot) -> Finding {
    const ID: &str = "scim.endpoint";
    const FAQ: &str = "scim-token-rejected";
    const FAQ_404: &str = "scim-filter-404-quarantine";
    const FAQ_COUNTS: &str = "scim-list-counts-integers";
    let Some(s) = snap.scim.get() else {
        return skipped(ID, FAQ, "SCIM", "scim");
    };
    let probe = match &s.probe {
        Ok(p) => p,
        Err(e) => {
            let what = match e.kind {
                ErrorKind::Timeout => "did not answer in time",
                ErrorKind::Connect => "cannot be reached",
                _ => "could not be queried",
            };
            return Finding::new(ID, Status::Error, format!("The SCIM endpoint {what}"), FAQ)
                .detail(format!(
                    "{e}. The IdP cannot provision while its SCIM base URL ({}) fails; check the URL and TLS.",
                    s.base_url
                ));
        }
    };
    if probe.is_auth_failure() {
        let refused = [Some(&probe.not_found), probe.list.as_ref()]
            .into_iter()
            .flatten()
            .find(|a| matches!(a.status, 401 | 403));
        let why = refused
            .and_then(|a| a.error.as_ref())
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        return Finding::new(
            ID,
            Status::Error,
            format!(
                "The SCIM endpoint rejected the token (HTTP {})",
                refused.map_or(probe.status(), |a| a.status)
            ),
            FAQ,
        )
        .detail(format!(
            "The secret token the IdP holds for {} was refused{why}: it is wrong, expired or revoked. \
             Generate a new token and paste it into the IdP's provisioning settings.",
            s.base_url
        ));
    }
    let mut warnings: Vec<(String, &str)> = Vec::new();
    let answer = &probe.not_found;
    let mut evidence = vec![format!(
        "GET /Users?filter={} -> HTTP {}",
        probe.filter, answer.status
    )];
    if let Some(l) = &probe.list {
        evidence.push(format!(
            "GET /Users?startIndex=1&count=1 -> HTTP {}",
            l.status
        ));
    }
    // The plain list failing too means the endpoint itself is broken (a wrong base URL, a
    // server error), not only its filter handling.
    let list_failed = probe
        .list
        .as_ref()
        .filter(|l| !(200..300).contains(&l.status));
    if let Some(l) = list_failed {
        let why = l
            .error
            .as_ref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Finding::new(
            ID,
            Status::Error,
            format!(
                "The SCIM endpoint answered HTTP {} to a user list",
                l.status
            ),
            FAQ,
        )
        .detail(format!(
            "The IdP cannot list or look up users at {}{why}. Check the SCIM base URL.",
            s.base_url
        ))
        .evidence(evidence);
    }
    if answer.status == 404 {
        warnings.push((
            "A filter for a missing user answers 404 instead of 200 with an empty list".into(),
            FAQ_404,
        ));
    } else if !(200..300).contains(&answer.status) {
        let why = answer
            .error
            .as_ref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Finding::new(
            ID,
            Status::Error,
            format!(
                "The SCIM endpoint answered HTTP {} to a user filter",
                answer.status
            ),
            FAQ,
        )
        .detail(format!("The IdP's lookups fail the same way{why}."))
        .evidence(evidence);
    } else if let Some(e) = &answer.error {
        return Finding::new(
            ID,
            Status::Error,
            "The SCIM endpoint's answer to a user filter is not SCIM JSON",
            FAQ,
        )
        .detail(format!("{e}. The IdP cannot read its lookups either."))
        .evidence(evidence);
    } else if !answer.list_response {
        warnings.push((
            "A filter for a missing user did not return a ListResponse".into(),
            FAQ_404,
        ));
    }
    let strings = probe.non_integer_counts();
    if !strings.is_empty() {
        evidence.push(format!("{} not JSON integers", strings.join(", ")));
        warnings.push((
            format!("{} sent as strings, not integers", strings.join(", ")),
            FAQ_COUNTS,
        ));
    }
    if let Some(ct) = &answer.content_type {
        evidence.push(format!("Content-Type: {ct}"));
    }
    // The user list as the IdP pages through it; a rejected token was reported above.
    if let Err(e) = &s.users
        && !e.is_auth()
    {
        evidence.extend(warnings.iter().map(|(w, _)| w.clone()));
        return Finding::new(
            ID,
            Status::Error,
            "The SCIM endpoint's user list cannot be read",
            FAQ,
        )
        .detail(format!(
            "{e}. The IdP pages through this list to match users; it fails the same way."
        ))
        .evidence(evidence);
    }
    if warnings.is_empty() {
        return Finding::new(
            ID,
            Status::Ok,
            "The SCIM endpoint accepts the token and answers filters correctly",
            FAQ,
        );
    }
    let faq = warnings[0].1;
    let title = warnings
        .iter()
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Finding::new(ID, Status::Warning, title, faq)
        .detail(
            "Entra quarantines a job whose SCIM server answers 404 where 200 and an empty \
             ListResponse are expected; Okta needs totalResults, startIndex and itemsPerPage as integers.",
        )
        .evidence(evidence)
}

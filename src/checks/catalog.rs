//! Every check id with the articles its findings link to. The ids are an interface (scripts
//! match on them), and `ssodesk kb check` verifies the links in both directions.

/// One diagnostic as the knowledge base sees it.
#[derive(Debug, Clone, Copy)]
pub struct CheckInfo {
    pub id: &'static str,
    /// Articles a finding of this check may link to; the first is the usual one.
    pub faqs: &'static [&'static str],
}

pub const CATALOG: &[CheckInfo] = &[
    CheckInfo {
        id: "okta.provisioning",
        faqs: &["okta-provisioning-tab-missing"],
    },
    CheckInfo {
        id: "okta.push_groups",
        faqs: &[
            "okta-push-groups",
            "okta-group-push-errors",
            "okta-same-group-assign-and-push",
        ],
    },
    CheckInfo {
        id: "okta.app_users",
        faqs: &["okta-app-user-sync-errors"],
    },
    CheckInfo {
        id: "azure.sync_lag",
        faqs: &["azure-provisioning-interval"],
    },
    CheckInfo {
        id: "azure.job_state",
        faqs: &["azure-job-quarantine", "azure-job-paused"],
    },
    CheckInfo {
        id: "scim.endpoint",
        faqs: &[
            "scim-token-rejected",
            "scim-filter-404-quarantine",
            "scim-list-counts-integers",
        ],
    },
    CheckInfo {
        id: "sp.pending_users",
        faqs: &["users-pending-first-login"],
    },
    CheckInfo {
        id: "sp.deactivated_jit",
        faqs: &["reactivate-jit-users"],
    },
    CheckInfo {
        id: "sp.default_team",
        faqs: &["new-user-default-team-role"],
    },
    CheckInfo {
        id: "sp.duplicates",
        faqs: &["no-duplicate-accounts"],
    },
    CheckInfo {
        id: "sp.single_org",
        faqs: &["one-production-org"],
    },
    CheckInfo {
        id: "sp.workspace_name",
        faqs: &["workspace-name-rules"],
    },
    CheckInfo {
        id: "sp.sso_setup",
        faqs: &["sso-setup-failed-resume"],
    },
    CheckInfo {
        id: "sp.last_sync",
        faqs: &["manual-sync-sso-connection"],
    },
    CheckInfo {
        id: "sp.salesforce_sync",
        faqs: &["salesforce-sync-after-sso"],
    },
    CheckInfo {
        id: "sp.login_methods",
        faqs: &["login-methods-after-sso"],
    },
    CheckInfo {
        id: "cross.missing_users",
        faqs: &["users-not-showing-up"],
    },
];

//! Every provider client against the demo over real loopback HTTP, the HTTP layer's faults
//! and retries, the snapshot, and the demo's knobs. One test binary (linking is the slow
//! part on a small machine).

mod cli_demo;
mod common;
mod demo_admin;
mod graph;
mod http_layer;
mod okta;
mod scim;
mod snapshot;
mod sp;

//! Hardening: the fault matrix (every API under every fault, in diagnostics and in fixes),
//! hostile data on every stdout path, property tests of every decoder, and rate-limit pacing
//! in a sweep. One test binary with modules (linking is the slow part on a small machine).

mod common;
mod fault_matrix;
mod fuzz;
mod hostile;
mod rate_limit;

//! Local emulators of the third-party services Project Central talks to.
//!
//! Procore cannot be reached from development machines or CI, so this crate serves a
//! faithful stand-in (OAuth login + the REST endpoints we call) on a loopback port.
//! Integration tests start it in-process with [`start_procore`]; the `sandbox` binary
//! starts it for a manual or Playwright run.

pub mod procore;

pub use procore::{
    start_procore, DemoUser, OAuthClient, ProcoreOptions, ProcoreSandbox, ProcoreStats,
};

/// Options for every emulator this crate can start.
#[derive(Clone, Debug, Default)]
pub struct SandboxOptions {
    /// Settings of the Procore emulator.
    pub procore: ProcoreOptions,
}

//! Running Traveler: serving, migrations, backups, organizations, the demo floor, logs and
//! metrics. `cli.rs` parses the command line and calls these; they hold the logic.

pub mod admin;
pub mod backup;
pub mod demo;
pub mod logs;
pub mod metrics;
pub mod serve;
pub mod traces;

/// The error every command returns: shown with its causes, exit status 1.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

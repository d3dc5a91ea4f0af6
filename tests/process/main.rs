//! Real server processes: two processes on one database under 16 concurrent clients,
//! SIGKILL in the middle of a bulk creation, SIGTERM draining requests in flight.
//! On PostgreSQL when `TEST_DATABASE_URL` is set (a fresh database per test), else on a
//! SQLite file shared by the processes.

mod client;
mod connections;
mod live;
mod ops;
mod tests;
#[path = "../api/ws_client.rs"]
mod ws_client;

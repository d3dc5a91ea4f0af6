//! Browser tests: the web app and GraphiQL in headless Chromium through chromedriver
//! (Debian's `chromium` and `chromium-driver`; `.ci/run` installs them). The server runs
//! in-process on a fresh database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`), on a
//! real socket. Chromium resolves no host but 127.0.0.1, so every page must work offline.
//!
//! `SCREENSHOTS=1 cargo test --test web` also rewrites the screenshots in `docs/`.

#[path = "../api/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
#[path = "../api/harness.rs"]
#[allow(dead_code)]
mod harness;

mod browser;
mod pages;

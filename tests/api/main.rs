//! API integration tests: through HTTP (the router), on SQLite by default and on
//! PostgreSQL when `TEST_DATABASE_URL` is set.

mod access;
mod budgets;
mod catalog;
mod concurrency;
mod create_runs;
mod decode;
mod escalation;
mod execution;
mod export_control;
mod fairness;
mod fixtures;
mod harness;
mod http;
mod inputs;
mod ion;
mod ion_documents;
mod leaves;
mod lists;
mod part_status;
mod plans;
mod pool;
mod redlines;
mod request_id;
mod robustness;
mod roles;
mod run_status;
mod schema;
mod subscriptions;
mod work_centers;
mod writers;
mod ws_client;

//! Traveler: a manufacturing execution server. See ARCHITECTURE.md for the map.

pub mod app;
pub mod caller;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod live;
pub mod ops;
pub mod store;

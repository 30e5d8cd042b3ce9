//! Faultdesk's server: typed settings, startup (the axum router around the Leptos
//! app), health probes and the command-line interface.

pub mod api_v1;
pub mod cli;
pub mod config;
pub mod reports_csv;
pub mod routes;
pub mod security;
pub mod startup;
pub mod telemetry;

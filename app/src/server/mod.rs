//! Server-only code: the store (one file per aggregate), authentication, sessions and
//! the application state. Nothing here is compiled into the browser bundle.

pub mod alerts;
pub mod auth;
pub mod cache;
pub mod calendar;
pub mod canned;
pub mod clock;
pub mod clocks;
pub mod db;
pub mod env;
pub mod error;
pub mod events;
pub mod form_flash;
pub mod guidance;
pub mod incidents;
pub mod intake;
pub mod limits;
pub mod mail;
pub mod maintenance;
pub mod manager_report;
pub mod notices;
pub mod outages;
pub mod people;
pub mod presence;
pub mod report_cache;
pub mod reports;
pub mod reports_sql;
pub mod sessions;
pub mod settings;
pub mod sla_policy;
pub mod state;
pub mod tickets;
pub mod tokens;
pub mod users;
pub mod work;

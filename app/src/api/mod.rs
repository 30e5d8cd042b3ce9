//! Server functions, one file per area. Each is thin: who is asking → parse → store →
//! map to a wire type. Every one names its endpoint, so `/api/<name>` is stable (the
//! authorisation tests walk that list).

pub mod account;
pub mod alerts;
pub mod auth;
pub mod canned;
pub mod guidance;
pub mod incidents;
pub mod manager;
pub mod notices;
pub mod people;
pub mod queue;
pub mod reports;
pub mod settings;

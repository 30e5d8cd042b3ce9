//! Wire types: what the pages, the server functions (and the JSON API) and the store
//! exchange. Serialisable, shared by the server and the browser build; the store
//! converts its rows into them, the server functions return them, and neither the store
//! nor the services import anything from `api/`.

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

//! Faultdesk: the support desk behind a public JSON API.
//!
//! This crate is compiled twice: with `ssr` for the server (pages rendered on the
//! server, server functions, the store) and with `hydrate` for the browser (the same
//! pages made interactive). [`domain`] is pure and shared by both, so the browser
//! classifies a report live with exactly the code the server trusts.

pub mod api;
mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod wire;

pub use app::{shell, App};

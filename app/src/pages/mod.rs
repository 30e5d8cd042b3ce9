//! One file per route, mirroring the URL tree.

pub mod account;
pub mod home;
pub mod not_found;
pub mod reports;

//! `/manager/…`: pages for managers.

mod figures;
pub mod reports;

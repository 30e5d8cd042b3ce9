//! Reusable view pieces.

pub mod badges;
pub mod forms;

//! Reusable view pieces.

pub mod badges;
pub mod countdown;
pub mod forms;
pub mod live;
pub mod notices;

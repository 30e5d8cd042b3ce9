//! Reusable view pieces.

pub mod badges;
pub mod charts;
pub mod countdown;
pub mod forms;
pub mod live;
pub mod notices;
pub mod report_table;

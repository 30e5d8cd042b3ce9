//! The time source. Real time in production; a settable instant in tests, so SLA
//! behaviour (due times, breaches) is tested against known instants, not the wall clock.

use chrono::{DateTime, Utc};
use std::sync::{Arc, RwLock};

/// Where "now" comes from.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A fixed instant that tests move by hand.
    Fixed(Arc<RwLock<DateTime<Utc>>>),
}

impl Clock {
    /// A test clock stopped at `t`.
    pub fn fixed(t: DateTime<Utc>) -> Self {
        Self::Fixed(Arc::new(RwLock::new(t)))
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t.read().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a fixed clock to `t` (no effect on the system clock).
    pub fn set(&self, t: DateTime<Utc>) {
        if let Clock::Fixed(cell) = self {
            *cell.write().unwrap_or_else(|e| e.into_inner()) = t;
        }
    }
}

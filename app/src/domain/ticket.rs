//! What happens to a report after it is filed: its disposition, its ticket status and
//! the moves between statuses (PRODUCT §4, §5).

use serde::{Deserialize, Serialize};

/// What Faultdesk did with a report when it was filed (or later escalated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// A client error answered with self-service guidance; no ticket in the queue.
    Deflected,
    /// A server error or transport failure sent to the support queue.
    Routed,
    /// A deflected report the developer escalated ("still failing"): a low-priority ticket.
    Escalated,
    /// A server error inside an announced maintenance window: no ticket, unless the
    /// developer states it is unrelated (then it is routed).
    Maintenance,
}

impl Disposition {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Deflected => "deflected",
            Disposition::Routed => "routed",
            Disposition::Escalated => "escalated",
            Disposition::Maintenance => "maintenance",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Deflected,
            Self::Routed,
            Self::Escalated,
            Self::Maintenance,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Disposition::Deflected => "Answered with guidance",
            Disposition::Routed => "Sent to support",
            Disposition::Escalated => "Escalated to support",
            Disposition::Maintenance => "During announced maintenance",
        }
    }

    /// Whether the report is a ticket in the support queue.
    pub fn is_ticket(self) -> bool {
        matches!(self, Disposition::Routed | Disposition::Escalated)
    }
}

/// The developer's answer after reading guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Feedback {
    /// No answer yet.
    Pending,
    /// "This solved it."
    SelfSolved,
    /// "Still failing": escalated into the queue.
    Escalated,
}

impl Feedback {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Feedback::Pending => "pending",
            Feedback::SelfSolved => "self_solved",
            Feedback::Escalated => "escalated",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::SelfSolved, Self::Escalated]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// A ticket's priority. Escalated client errors are low; everything routed is normal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Server errors and transport failures.
    Normal,
    /// Client errors escalated after guidance.
    Low,
}

impl Priority {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Normal, Self::Low]
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    /// How many standard business days the first-response target is for this
    /// priority: one for normal (the published promise), two for low.
    pub fn target_days(self) -> i64 {
        match self {
            Priority::Normal => 1,
            Priority::Low => 2,
        }
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Deflected with guidance, waiting for the developer's answer.
    AwaitingFeedback,
    /// In the queue, not yet claimed.
    New,
    /// Claimed by an agent.
    Open,
    /// Waiting on the developer.
    Waiting,
    /// Support considers it solved.
    Resolved,
    /// Done.
    Closed,
}

impl TicketStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::AwaitingFeedback,
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::Waiting,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::AwaitingFeedback => "awaiting_feedback",
            TicketStatus::New => "new",
            TicketStatus::Open => "open",
            TicketStatus::Waiting => "waiting",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::AwaitingFeedback => "Guidance given",
            TicketStatus::New => "New",
            TicketStatus::Open => "Open",
            TicketStatus::Waiting => "Waiting on developer",
            TicketStatus::Resolved => "Resolved",
            TicketStatus::Closed => "Closed",
        }
    }

    /// Whether the ticket still needs work from support.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            TicketStatus::New | TicketStatus::Open | TicketStatus::Waiting
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(s));
        }
        for d in [
            Disposition::Deflected,
            Disposition::Routed,
            Disposition::Escalated,
        ] {
            assert_eq!(Disposition::parse(d.as_str()), Some(d));
        }
        for f in [Feedback::Pending, Feedback::SelfSolved, Feedback::Escalated] {
            assert_eq!(Feedback::parse(f.as_str()), Some(f));
        }
        assert_eq!(Priority::parse("low"), Some(Priority::Low));
        assert_eq!(TicketStatus::parse("bogus"), None);
    }

    #[test]
    fn low_priority_gets_the_longer_target() {
        assert!(Priority::Low.target_days() > Priority::Normal.target_days());
        assert_eq!(Priority::Normal.target_days(), 1);
    }
}

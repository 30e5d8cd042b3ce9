//! Who may do what (PRODUCT §2). Each role includes everything the one before it can do.

use serde::{Deserialize, Serialize};

/// An account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Files reports and follows up on their own.
    Developer,
    /// Support staff: works the queue, replies, edits guidance, publishes notices.
    Agent,
    /// An agent who also reads SLA reports and administers the calendar and users.
    Manager,
}

impl Role {
    /// Every role, least to most privileged.
    pub const ALL: [Role; 3] = [Role::Developer, Role::Agent, Role::Manager];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Developer => "developer",
            Role::Agent => "agent",
            Role::Manager => "manager",
        }
    }

    /// Reads a stored or typed name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether this role is support staff (agent or manager).
    pub fn is_staff(self) -> bool {
        self >= Role::Agent
    }

    /// Whether this role is a manager.
    pub fn is_manager(self) -> bool {
        self == Role::Manager
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_nest() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse(" Agent "), Some(Role::Agent));
        assert_eq!(Role::parse("admin"), None);
        assert!(!Role::Developer.is_staff());
        assert!(Role::Agent.is_staff() && !Role::Agent.is_manager());
        assert!(Role::Manager.is_staff() && Role::Manager.is_manager());
    }
}

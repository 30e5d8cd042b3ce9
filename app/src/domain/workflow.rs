//! The ticket workflow (PRODUCT §5): which status changes are allowed, and what a reply
//! does to the status. new → open (claimed) → waiting on developer → resolved → closed;
//! a developer's reply reopens.

use super::{error::FieldError, ticket::TicketStatus};

/// Whether staff may move a ticket from `from` to `to`; the error names the field
/// `status` and says which moves are possible.
pub fn check_transition(from: TicketStatus, to: TicketStatus) -> Result<(), FieldError> {
    use TicketStatus::*;
    let allowed: &[TicketStatus] = match from {
        New => &[Open, Waiting, Resolved],
        Open => &[Waiting, Resolved],
        Waiting => &[Open, Resolved],
        Resolved => &[Open, Closed],
        Closed | AwaitingFeedback => &[],
    };
    if allowed.contains(&to) {
        return Ok(());
    }
    let options = allowed
        .iter()
        .map(|s| format!("“{}”", s.label()))
        .collect::<Vec<_>>()
        .join(" or ");
    let message = if allowed.is_empty() {
        format!("A ticket that is “{}” cannot change status.", from.label())
    } else {
        format!(
            "A ticket that is “{}” cannot become “{}”; it can become {options}.",
            from.label(),
            to.label()
        )
    };
    Err(FieldError::new("status", message))
}

/// The status after staff claim (or are assigned) a ticket: a new ticket becomes open.
pub fn status_after_claim(current: TicketStatus) -> TicketStatus {
    match current {
        TicketStatus::New => TicketStatus::Open,
        other => other,
    }
}

/// The status after a developer replies: waiting or resolved tickets reopen; a closed
/// one cannot take replies (the developer files a new report).
pub fn status_after_developer_reply(current: TicketStatus) -> Result<TicketStatus, FieldError> {
    match current {
        TicketStatus::Waiting | TicketStatus::Resolved => Ok(TicketStatus::Open),
        TicketStatus::New | TicketStatus::Open => Ok(current),
        TicketStatus::Closed => Err(FieldError::new(
            "body",
            "This report is closed. If the problem is back, file a new report.",
        )),
        TicketStatus::AwaitingFeedback => Err(FieldError::new(
            "body",
            "Answer the guidance first: “this solved it” or “still failing”.",
        )),
    }
}

/// Whether staff may post on a ticket in this status (not on closed ones).
pub fn accepts_staff_messages(current: TicketStatus) -> bool {
    current != TicketStatus::Closed && current != TicketStatus::AwaitingFeedback
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    #[test]
    fn the_happy_path_is_allowed() {
        for (a, b) in [
            (New, Open),
            (Open, Waiting),
            (Waiting, Resolved),
            (Resolved, Closed),
            (Resolved, Open),
            (Waiting, Open),
        ] {
            assert!(check_transition(a, b).is_ok(), "{a:?} → {b:?}");
        }
    }

    #[test]
    fn illegal_moves_are_refused_with_the_options() {
        let e = check_transition(New, Closed).unwrap_err();
        assert_eq!(e.field, "status");
        assert!(e.message.contains("“Open”"), "{}", e.message);
        assert!(check_transition(Closed, Open)
            .unwrap_err()
            .message
            .contains("cannot change"));
        assert!(check_transition(Open, Open).is_err());
        assert!(check_transition(AwaitingFeedback, Open).is_err());
        // Every status has a defined answer for every target.
        for a in TicketStatus::ALL {
            for b in TicketStatus::ALL {
                let _ = check_transition(a, b);
            }
        }
    }

    #[test]
    fn developer_replies_reopen() {
        assert_eq!(status_after_developer_reply(Waiting).unwrap(), Open);
        assert_eq!(status_after_developer_reply(Resolved).unwrap(), Open);
        assert_eq!(status_after_developer_reply(New).unwrap(), New);
        assert!(status_after_developer_reply(Closed).is_err());
        assert_eq!(status_after_claim(New), Open);
        assert_eq!(status_after_claim(Waiting), Waiting);
    }
}

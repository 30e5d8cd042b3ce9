//! Everything the app exposes, with who may use it: the authorisation tests call each
//! entry as every role, the hostile-input tests send each entry the corpus. A server
//! function or page without a row here fails both.

use app::domain::role::Role;

/// A server function, the least role it needs, and sample form arguments.
pub type Access = (
    &'static str,
    Option<Role>,
    &'static [(&'static str, &'static str)],
);

/// Who may call what: `None` = anyone, `Some(role)` = at least that role.
/// With sample arguments that decode, so the check under test is the one that answers.
pub const SERVER_FNS: &[Access] = &[
    ("whoami", None, &[]),
    ("my_account", Some(Role::Developer), &[]),
    (
        "change_password",
        Some(Role::Developer),
        &[("current_password", "x"), ("new_password", "y")],
    ),
    (
        "set_display_name",
        Some(Role::Agent),
        &[("display_name", "Ana")],
    ),
    (
        "request_password_reset",
        None,
        &[("email", "x@example.com")],
    ),
    ("reset_password", None, &[("token", "x"), ("password", "y")]),
    ("invite_info", None, &[("token", "x")]),
    (
        "accept_invite",
        None,
        &[("token", "x"), ("password", "y"), ("timezone", "UTC")],
    ),
    ("list_people", Some(Role::Manager), &[]),
    ("list_canned_replies", Some(Role::Agent), &[]),
    ("list_guidance", Some(Role::Agent), &[]),
    (
        "get_guidance",
        Some(Role::Agent),
        &[("slug", "token-expired")],
    ),
    ("new_guidance_form", Some(Role::Agent), &[]),
    (
        "save_guidance",
        Some(Role::Agent),
        &[
            ("version", "999999"),
            ("article[slug]", "token-expired"),
            ("article[title]", "Token expired"),
            ("article[summary]", "It expired."),
            ("article[checks]", "The token's expiry"),
            ("article[call_again]", "With a fresh token."),
            ("article[retry_same_request]", "no"),
            ("article[codes]", "401"),
            ("article[pattern_kind]", "words"),
            ("article[pattern]", "expir"),
        ],
    ),
    (
        "retire_guidance",
        Some(Role::Agent),
        &[
            ("slug", "token-expired"),
            ("retired", "yes"),
            ("version", "999999"),
        ],
    ),
    (
        "preview_guidance",
        Some(Role::Agent),
        &[("status", "401"), ("message", "Token has expired")],
    ),
    (
        "save_canned_reply",
        Some(Role::Agent),
        &[("title", "Request id"), ("body", "Hello {developer}")],
    ),
    (
        "delete_canned_reply",
        Some(Role::Agent),
        &[("id", "999999")],
    ),
    (
        "render_canned_reply",
        Some(Role::Agent),
        &[("ticket", "{report}"), ("canned", "999999")],
    ),
    (
        "render_canned_for_incident",
        Some(Role::Agent),
        &[("incident", "999999"), ("canned", "999999")],
    ),
    (
        "invite_staff",
        Some(Role::Manager),
        &[("email", "x@example.com"), ("role", "agent")],
    ),
    (
        "change_role",
        Some(Role::Manager),
        &[("user_id", "999999"), ("role", "agent")],
    ),
    (
        "set_account_active",
        Some(Role::Manager),
        &[("user_id", "999999"), ("active", "yes")],
    ),
    ("list_tokens", Some(Role::Developer), &[]),
    (
        "create_token",
        Some(Role::Developer),
        &[("name", "CI bot"), ("expires", "30")],
    ),
    ("revoke_token", Some(Role::Developer), &[("id", "999999")]),
    (
        "signup",
        None,
        &[("email", "x"), ("password", "x"), ("timezone", "UTC")],
    ),
    (
        "login",
        None,
        &[("email", "x@example.com"), ("password", "x")],
    ),
    ("logout", None, &[]),
    (
        "file_report",
        Some(Role::Developer),
        &[("draft[endpoint]", "")],
    ),
    ("report_form_defaults", Some(Role::Developer), &[]),
    ("my_reports", Some(Role::Developer), &[]),
    ("get_report", Some(Role::Developer), &[("id", "{report}")]),
    (
        "report_feedback",
        Some(Role::Developer),
        &[("id", "{report}"), ("outcome", "solved")],
    ),
    (
        "reply_to_report",
        Some(Role::Developer),
        &[("id", "{report}"), ("body", "hello")],
    ),
    ("queue", Some(Role::Agent), &[("query[status]", "")]),
    ("staff_members", Some(Role::Agent), &[]),
    (
        "ticket_presence",
        Some(Role::Agent),
        &[("id", "{report}"), ("state", "viewing")],
    ),
    ("get_sla_policy", Some(Role::Manager), &[]),
    (
        "save_sla_policy",
        Some(Role::Manager),
        &[
            ("first_response_normal", "1d"),
            ("first_response_low", "2d"),
            ("at_risk_percent", "25"),
        ],
    ),
    ("my_notifications", Some(Role::Agent), &[]),
    ("unread_alerts", None, &[]),
    (
        "mark_notifications_read",
        Some(Role::Agent),
        &[("id", "999999")],
    ),
    (
        "save_alert_preferences",
        Some(Role::Agent),
        &[("unassigned", "on"), ("after_hours", "on")],
    ),
    ("get_ticket", Some(Role::Agent), &[("id", "{report}")]),
    ("claim_ticket", Some(Role::Agent), &[("id", "{report}")]),
    (
        "assign_ticket",
        Some(Role::Agent),
        &[("id", "{report}"), ("assignee", "")],
    ),
    (
        "change_status",
        Some(Role::Agent),
        &[("id", "{report}"), ("status", "closed")],
    ),
    (
        "post_message",
        Some(Role::Agent),
        &[
            ("id", "{report}"),
            ("body", "note"),
            ("visibility", "internal"),
        ],
    ),
    (
        "state_unrelated",
        Some(Role::Developer),
        &[("id", "{report}"), ("statement", "x")],
    ),
    (
        "follow_incident",
        Some(Role::Developer),
        &[("report", "{report}")],
    ),
    ("current_notices", None, &[]),
    ("all_notices", Some(Role::Agent), &[]),
    (
        "publish_notice",
        Some(Role::Agent),
        &[("notice[title]", "")],
    ),
    (
        "edit_notice",
        Some(Role::Agent),
        &[("id", "999999"), ("notice[title]", "")],
    ),
    ("end_notice", Some(Role::Agent), &[("id", "999999")]),
    ("cancel_notice", Some(Role::Agent), &[("id", "999999")]),
    ("get_incident", Some(Role::Agent), &[("id", "999999")]),
    (
        "reply_incident",
        Some(Role::Agent),
        &[("id", "999999"), ("body", "x")],
    ),
    ("resolve_incident", Some(Role::Agent), &[("id", "999999")]),
    (
        "move_out_of_incident",
        Some(Role::Agent),
        &[("report", "{report}")],
    ),
    (
        "merge_incident",
        Some(Role::Agent),
        &[("id", "999999"), ("into", "999998")],
    ),
    (
        "manager_report",
        Some(Role::Manager),
        &[("from", ""), ("to", "")],
    ),
    ("get_calendar", Some(Role::Manager), &[]),
    (
        "save_calendar",
        Some(Role::Manager),
        &[
            ("timezone", "UTC"),
            ("open[0]", "09:00"),
            ("close[0]", "17:00"),
        ],
    ),
    (
        "add_holiday",
        Some(Role::Manager),
        &[("day", "bad"), ("name", "x")],
    ),
    (
        "remove_holiday",
        Some(Role::Manager),
        &[("day", "2031-01-01")],
    ),
];

/// Pages and who may open them (`{id}` is replaced by a ticket the developer filed,
/// `{slug}` by a guidance article).
pub const PAGES: &[(&str, Option<Role>)] = &[
    ("/", None),
    ("/signup", None),
    ("/login", None),
    ("/forgot-password", None),
    ("/reset-password", None),
    ("/invite", None),
    ("/account", Some(Role::Developer)),
    ("/manager/people", Some(Role::Manager)),
    ("/reports/new", Some(Role::Developer)),
    ("/reports", Some(Role::Developer)),
    ("/reports/{id}", Some(Role::Developer)),
    ("/account/tokens", Some(Role::Developer)),
    ("/queue", Some(Role::Agent)),
    ("/alerts", Some(Role::Agent)),
    ("/canned", Some(Role::Agent)),
    ("/guidance", Some(Role::Agent)),
    ("/guidance/new", Some(Role::Agent)),
    ("/guidance/{slug}", Some(Role::Agent)),
    ("/tickets/{id}", Some(Role::Agent)),
    ("/incidents/{id}", Some(Role::Agent)),
    ("/notices", Some(Role::Agent)),
    ("/settings/calendar", Some(Role::Manager)),
    ("/settings/sla", Some(Role::Manager)),
    ("/manager/reports", Some(Role::Manager)),
];

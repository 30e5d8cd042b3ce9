//! The SLA policy managers set (PRODUCT §5): the first-response target per priority, the
//! next-reply and resolution targets, the at-risk threshold, and whether waiting on the
//! developer pauses the resolution clock. Targets are business time as people write it: `1d`, `2d`,
//! `4h`, `90m`, `1d 4h`, `1h 30m`, where a day is one standard business day of the
//! support calendar at the moment a clock starts. A clock takes the policy in force
//! when it starts; later changes never move its due time.

use super::{calendar::BusinessCalendar, ticket::Priority};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest target accepted: 60 business days.
pub const MAX_TARGET_MINUTES: i64 = 60 * 24 * 60;

/// A business-time target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Standard business days.
    pub days: i64,
    /// Business minutes beyond the days.
    pub minutes: i64,
}

impl Target {
    /// `n` standard business days.
    pub const fn days(n: i64) -> Self {
        Self {
            days: n,
            minutes: 0,
        }
    }

    /// Reads `1d`, `4h`, `90m`, `1d 4h 30m` (parts in any order, each once, spaces
    /// optional). Between one minute and 60 business days (days counted as 24 h here,
    /// whatever the calendar's day).
    pub fn parse(s: &str) -> Result<Self, String> {
        let text = s.trim().to_ascii_lowercase();
        if text.is_empty() {
            return Err("Give a target, e.g. 1d, 4h or 90m.".to_owned());
        }
        let (mut days, mut hours, mut minutes) = (None, None, None);
        let mut number = String::new();
        for ch in text.chars() {
            match ch {
                '0'..='9' => number.push(ch),
                ' ' => {}
                'd' | 'h' | 'm' => {
                    let n: i64 = number
                        .parse()
                        .map_err(|_| format!("“{s}”: put a number before each unit (d, h, m)."))?;
                    number.clear();
                    let slot = match ch {
                        'd' => &mut days,
                        'h' => &mut hours,
                        _ => &mut minutes,
                    };
                    if slot.replace(n).is_some() {
                        return Err(format!("“{s}”: give each unit once."));
                    }
                }
                _ => {
                    return Err(format!(
                        "“{s}” is not a duration: use days (d), hours (h) and minutes (m), \
                         e.g. 1d, 4h or 1h 30m."
                    ))
                }
            }
        }
        if !number.is_empty() {
            return Err(format!("“{s}”: give a unit after {number} (d, h or m)."));
        }
        let (d, h, m) = (days.unwrap_or(0), hours.unwrap_or(0), minutes.unwrap_or(0));
        let rough = d
            .saturating_mul(24 * 60)
            .saturating_add(h.saturating_mul(60))
            .saturating_add(m);
        if rough < 1 {
            return Err("A target must be at least one minute.".to_owned());
        }
        if rough > MAX_TARGET_MINUTES {
            return Err("A target can be at most 60 business days.".to_owned());
        }
        Ok(Self {
            days: d,
            minutes: h * 60 + m,
        })
    }

    /// The target in business minutes on `cal` (days are its standard day).
    pub fn minutes_on(self, cal: &BusinessCalendar) -> i64 {
        self.days * cal.standard_day_minutes() + self.minutes
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.days > 0 {
            parts.push(format!("{}d", self.days));
        }
        if self.minutes >= 60 {
            parts.push(format!("{}h", self.minutes / 60));
        }
        if self.minutes % 60 > 0 {
            parts.push(format!("{}m", self.minutes % 60));
        }
        if parts.is_empty() {
            parts.push("0m".to_owned());
        }
        f.write_str(&parts.join(" "))
    }
}

/// A policy as written on the page (or sent to the server function).
#[derive(Debug, Clone, Copy)]
pub struct PolicyForm<'a> {
    /// First response, normal priority (`first_response_normal`).
    pub normal: &'a str,
    /// First response, low priority (`first_response_low`).
    pub low: &'a str,
    /// Percent of the target left below which a clock is at risk.
    pub at_risk_percent: &'a str,
    /// Next-reply target.
    pub next_reply: &'a str,
    /// Resolution target.
    pub resolution: &'a str,
    /// `yes` or `no`.
    pub pause_when_waiting: &'a str,
}

/// The policy in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// First-response target of normal tickets (server errors, transport failures).
    pub normal: Target,
    /// First-response target of low-priority tickets (escalated client errors).
    pub low: Target,
    /// At risk once less than this share (percent) of the target is left.
    pub at_risk_percent: i64,
    /// Next-reply target: from a developer's reply to an answered ticket to the next
    /// public staff reply.
    pub next_reply: Target,
    /// Resolution target: from routing to resolved, time paused excluded.
    pub resolution: Target,
    /// Whether the resolution clock pauses while the ticket waits on the developer.
    pub pause_when_waiting: bool,
}

impl Default for SlaPolicy {
    /// PRODUCT §5: first response in one business day (two for low priority), next
    /// reply in one, resolution in five, at risk with under 25 % left; waiting on the
    /// developer pauses the resolution clock.
    fn default() -> Self {
        Self {
            normal: Target::days(1),
            low: Target::days(2),
            at_risk_percent: 25,
            next_reply: Target::days(1),
            resolution: Target::days(5),
            pause_when_waiting: true,
        }
    }
}

impl SlaPolicy {
    /// Checks a policy as a manager wrote it; errors name the field.
    pub fn parse(form: &PolicyForm<'_>) -> Result<Self, (String, String)> {
        let target =
            |text: &str, field: &str| Target::parse(text).map_err(|e| (field.to_owned(), e));
        let normal = target(form.normal, "first_response_normal")?;
        let low = target(form.low, "first_response_low")?;
        let next_reply = target(form.next_reply, "next_reply")?;
        let resolution = target(form.resolution, "resolution")?;
        let pause_when_waiting = match form.pause_when_waiting.trim() {
            "yes" => true,
            "no" => false,
            _ => {
                return Err((
                    "pause_when_waiting".to_owned(),
                    "Answer yes or no.".to_owned(),
                ))
            }
        };
        let at_risk_percent = form.at_risk_percent;
        let at_risk_percent = at_risk_percent
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=99).contains(p))
            .ok_or_else(|| {
                (
                    "at_risk_percent".to_owned(),
                    "Give a whole percentage between 1 and 99.".to_owned(),
                )
            })?;
        Ok(Self {
            normal,
            low,
            at_risk_percent,
            next_reply,
            resolution,
            pause_when_waiting,
        })
    }

    /// The first-response target for `priority`.
    pub fn target(&self, priority: Priority) -> Target {
        match priority {
            Priority::Normal => self.normal,
            Priority::Low => self.low,
        }
    }

    /// Business minutes after a clock's start at which a target of `target_minutes`
    /// goes at risk (less than the threshold's share left).
    pub fn at_risk_after(&self, target_minutes: i64) -> i64 {
        target_minutes - target_minutes * self.at_risk_percent / 100
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_as_people_write_them() {
        for (text, days, minutes, shown) in [
            ("1d", 1, 0, "1d"),
            ("2D", 2, 0, "2d"),
            ("4h", 0, 240, "4h"),
            ("90m", 0, 90, "1h 30m"),
            ("1h 30m", 0, 90, "1h 30m"),
            ("1d 4h", 1, 240, "1d 4h"),
            ("30m 1h", 0, 90, "1h 30m"),
            (" 1d4h30m ", 1, 270, "1d 4h 30m"),
        ] {
            let t = Target::parse(text).unwrap();
            assert_eq!((t.days, t.minutes), (days, minutes), "{text}");
            assert_eq!(t.to_string(), shown);
            assert_eq!(Target::parse(&t.to_string()).unwrap(), t);
        }
    }

    #[test]
    fn bad_targets_say_what_is_wrong() {
        for (text, says) in [
            ("", "Give a target"),
            ("0m", "at least one minute"),
            ("61d", "at most 60"),
            ("8", "give a unit"),
            ("1 day", "not a duration"),
            ("1h 2h", "each unit once"),
            ("h", "put a number"),
            ("-1h", "not a duration"),
        ] {
            let e = Target::parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn days_are_the_calendars_standard_day() {
        let cal = BusinessCalendar::default_for(chrono_tz::UTC);
        assert_eq!(Target::days(1).minutes_on(&cal), 480);
        assert_eq!(Target::parse("1d 30m").unwrap().minutes_on(&cal), 510);
    }

    fn form<'a>(normal: &'a str, low: &'a str, percent: &'a str) -> PolicyForm<'a> {
        PolicyForm {
            normal,
            low,
            at_risk_percent: percent,
            next_reply: "1d",
            resolution: "5d",
            pause_when_waiting: "yes",
        }
    }

    #[test]
    fn policies_are_checked_field_by_field() {
        let p = SlaPolicy::parse(&form("4h", "1d", "30 %")).unwrap();
        assert_eq!(p.next_reply, Target::days(1));
        assert_eq!(p.resolution, Target::days(5));
        assert!(p.pause_when_waiting);
        assert_eq!(p.target(Priority::Normal), Target::parse("4h").unwrap());
        assert_eq!(p.target(Priority::Low), Target::days(1));
        // 30 % of 4 h left = at risk after 168 minutes.
        assert_eq!(p.at_risk_after(240), 168);
        assert_eq!(SlaPolicy::default().at_risk_after(480), 360);
        for (args, field) in [
            (("x", "1d", "25"), "first_response_normal"),
            (("1d", "", "25"), "first_response_low"),
            (("1d", "2d", "0"), "at_risk_percent"),
            (("1d", "2d", "100"), "at_risk_percent"),
            (("1d", "2d", "a"), "at_risk_percent"),
        ] {
            let (f, _) = SlaPolicy::parse(&form(args.0, args.1, args.2)).unwrap_err();
            assert_eq!(f, field);
        }
        for (change, field) in [
            (
                PolicyForm {
                    next_reply: "soon",
                    ..form("1d", "2d", "25")
                },
                "next_reply",
            ),
            (
                PolicyForm {
                    resolution: "",
                    ..form("1d", "2d", "25")
                },
                "resolution",
            ),
            (
                PolicyForm {
                    pause_when_waiting: "maybe",
                    ..form("1d", "2d", "25")
                },
                "pause_when_waiting",
            ),
        ] {
            assert_eq!(SlaPolicy::parse(&change).unwrap_err().0, field);
        }
        let off = SlaPolicy::parse(&PolicyForm {
            pause_when_waiting: "no",
            ..form("1d", "2d", "25")
        });
        assert!(!off.unwrap().pause_when_waiting);
    }
}

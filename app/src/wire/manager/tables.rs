//! The report as tables of text: what the page shows and what each CSV holds, built by
//! the same code so that they never disagree.

use super::{ManagerReport, ReportTable, BREACHES_SHOWN};
use crate::domain::stats::{attainment_pct, fmt_hours, fmt_pct, ratio_pct, RESPONSE_BUCKETS};
use serde::{Deserialize, Serialize};

/// One table: a title, column headers, rows of cells, and optionally a link per row
/// (on its first cell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Table {
    /// Which table.
    pub id: ReportTable,
    /// Heading.
    pub title: String,
    /// What is counted, in a sentence.
    pub note: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Cells, one `Vec` per row, as many as columns.
    pub rows: Vec<Vec<String>>,
    /// A link for the first cell of each row (empty, or as many as rows).
    pub links: Vec<Option<String>>,
}

impl Table {
    fn new(id: ReportTable, title: &str, note: String, columns: &[&str]) -> Self {
        Self {
            id,
            title: title.to_owned(),
            note,
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
            links: Vec::new(),
        }
    }

    /// The CSV document of this table (RFC 4180, header row first).
    pub fn to_csv(&self) -> String {
        crate::domain::stats::csv_document(&self.columns, &self.rows)
    }
}

fn scope_label(scope: &str) -> (&'static str, &'static str) {
    match scope {
        "routed" => ("Routed (server errors, no response)", "1 business day"),
        "escalated" => ("Escalated after guidance", "2 business days"),
        _ => ("All tickets", "Each ticket's own"),
    }
}

fn n(v: i64) -> String {
    v.to_string()
}

impl ManagerReport {
    /// Every table, in page order.
    pub fn tables(&self) -> Vec<Table> {
        ReportTable::ALL
            .into_iter()
            .map(|t| self.table(t))
            .collect()
    }

    /// One table.
    pub fn table(&self, id: ReportTable) -> Table {
        match id {
            ReportTable::Attainment => self.attainment(),
            ReportTable::AttainmentOverTime => self.attainment_over_time(),
            ReportTable::ResponseTimes => self.response_times(),
            ReportTable::ResponseDistribution => self.response_distribution(),
            ReportTable::Breaches => self.breach_list(),
            ReportTable::Backlog => self.backlog_bands(),
            ReportTable::VolumeByDay => self.volume_by_day(),
            ReportTable::VolumeByStatusCode => self.volume_by_code(),
            ReportTable::VolumeByEndpoint => self.volume_by_endpoint(),
            ReportTable::Deflection => self.deflection_table(),
            ReportTable::DeflectionByArticle => self.deflection_by_article(),
        }
    }

    fn attainment(&self) -> Table {
        let mut t = Table::new(
            ReportTable::Attainment,
            "First-response SLA attainment",
            "Tickets filed in the range. Met: first public reply by the due time. Breached: \
             answered late, or unanswered past due. Pending tickets (unanswered, not yet due) \
             are not counted in the attainment."
                .to_owned(),
            &[
                "Tickets of",
                "Target",
                "Tickets",
                "Met",
                "Breached",
                "Answered late",
                "Unanswered past due",
                "Pending (not yet due)",
                "Attainment %",
            ],
        );
        for s in &self.sla {
            let (label, target) = scope_label(&s.scope);
            t.rows.push(vec![
                label.to_owned(),
                target.to_owned(),
                n(s.tickets),
                n(s.met),
                n(s.breached()),
                n(s.answered_late),
                n(s.unanswered_overdue),
                n(s.pending),
                fmt_pct(s.attainment_pct()),
            ]);
        }
        t
    }

    fn attainment_over_time(&self) -> Table {
        let (title, first) = if self.weekly {
            ("Attainment per week", "Week from")
        } else {
            ("Attainment per day", "Day")
        };
        let mut t = Table::new(
            ReportTable::AttainmentOverTime,
            title,
            "Routed tickets by the local day they were filed.".to_owned(),
            &[first, "Met", "Breached", "Pending", "Attainment %"],
        );
        for p in &self.trend {
            t.rows.push(vec![
                p.start.clone(),
                n(p.met),
                n(p.breached),
                n(p.pending),
                fmt_pct(attainment_pct(p.met, p.breached)),
            ]);
        }
        t
    }

    fn response_times(&self) -> Table {
        let mut t = Table::new(
            ReportTable::ResponseTimes,
            "First-response times",
            "Answered tickets filed in the range; nearest-rank percentiles (the smallest \
             time that at least 50 % or 90 % of responses took at most). Business hours \
             count only opening hours; wall-clock hours count all."
                .to_owned(),
            &[
                "Tickets of",
                "Answered",
                "p50 business h",
                "p90 business h",
                "p50 wall-clock h",
                "p90 wall-clock h",
            ],
        );
        for s in &self.sla {
            t.rows.push(vec![
                scope_label(&s.scope).0.to_owned(),
                n(s.answered),
                fmt_hours(s.p50_business_secs),
                fmt_hours(s.p90_business_secs),
                fmt_hours(s.p50_wall_secs),
                fmt_hours(s.p90_wall_secs),
            ]);
        }
        t
    }

    fn response_distribution(&self) -> Table {
        let mut t = Table::new(
            ReportTable::ResponseDistribution,
            "Response-time distribution",
            "Answered routed tickets by business hours from routing to the first response."
                .to_owned(),
            &["Business hours to first response", "Tickets", "Share %"],
        );
        let total: i64 = self.response_buckets.iter().sum();
        for ((label, _), count) in RESPONSE_BUCKETS.iter().zip(&self.response_buckets) {
            t.rows.push(vec![
                (*label).to_owned(),
                n(*count),
                fmt_pct(ratio_pct(*count, total)),
            ]);
        }
        t
    }

    fn breach_list(&self) -> Table {
        let shown = self.breaches.len() as i64;
        let note = if shown < self.breach_total {
            format!(
                "{} tickets filed in the range missed their target; the first {BREACHES_SHOWN} \
                 by due time are listed here, the CSV has all of them.",
                self.breach_total
            )
        } else {
            format!(
                "{} tickets filed in the range missed their target, by due time. Late by: \
                 from the due time to the answer, or to now if unanswered.",
                self.breach_total
            )
        };
        let due = format!("Due ({})", self.timezone);
        let answered = format!("Answered ({})", self.timezone);
        let mut t = Table::new(
            ReportTable::Breaches,
            "Breaches",
            note,
            &[
                "Ticket",
                "Method",
                "Endpoint",
                "Status code",
                &due,
                &answered,
                "Late by h",
                "Late by business h",
            ],
        );
        for b in &self.breaches {
            t.rows.push(vec![
                format!("#{}", b.id),
                b.method.clone(),
                b.endpoint.clone(),
                b.failure.clone(),
                b.due_local.clone(),
                b.answered_local
                    .clone()
                    .unwrap_or_else(|| "unanswered".to_owned()),
                fmt_hours(Some(b.late_secs)),
                fmt_hours(Some(b.late_business_secs)),
            ]);
            t.links.push(Some(format!("/tickets/{}", b.id)));
        }
        t
    }

    fn backlog_bands(&self) -> Table {
        let mut t = Table::new(
            ReportTable::Backlog,
            "Open backlog by age",
            format!(
                "Every ticket open now (new, open or waiting), whenever it was filed, by \
                 wall-clock time since it was routed; as of {}.",
                self.as_of_local
            ),
            &[
                "Age",
                "Open tickets",
                "Not yet answered",
                "Unanswered past due",
            ],
        );
        for b in &self.backlog {
            t.rows.push(vec![
                b.band.clone(),
                n(b.open),
                n(b.unanswered),
                n(b.overdue),
            ]);
        }
        t
    }

    fn volume_by_day(&self) -> Table {
        let mut t = Table::new(
            ReportTable::VolumeByDay,
            "Reports per day",
            "Every report by the local day it was filed.".to_owned(),
            &[
                "Day",
                "Reports",
                "Deflected",
                "Of which escalated",
                "Routed",
            ],
        );
        for d in &self.by_day {
            t.rows.push(vec![
                d.day.clone(),
                n(d.reports),
                n(d.deflected),
                n(d.escalated),
                n(d.routed),
            ]);
        }
        t
    }

    fn volume_by_code(&self) -> Table {
        let mut t = Table::new(
            ReportTable::VolumeByStatusCode,
            "Reports by status code",
            "Every report filed in the range, by the status code reported.".to_owned(),
            &["Status code", "Class", "Reports", "Share %", "Tickets"],
        );
        let total: i64 = self.by_status_code.iter().map(|c| c.reports).sum();
        for c in &self.by_status_code {
            t.rows.push(vec![
                c.failure.clone(),
                c.class.clone(),
                n(c.reports),
                fmt_pct(ratio_pct(c.reports, total)),
                n(c.tickets),
            ]);
        }
        t
    }

    fn volume_by_endpoint(&self) -> Table {
        let mut t = Table::new(
            ReportTable::VolumeByEndpoint,
            "Reports by endpoint",
            "Every report filed in the range, by endpoint template (identifiers replaced \
             by {id}); the busiest first."
                .to_owned(),
            &["Endpoint", "Reports", "Deflected", "Tickets", "Breached"],
        );
        for e in &self.by_endpoint {
            t.rows.push(vec![
                e.endpoint.clone(),
                n(e.reports),
                n(e.deflected),
                n(e.tickets),
                n(e.breached),
            ]);
        }
        t
    }

    fn deflection_table(&self) -> Table {
        let d = &self.deflection;
        let mut t = Table::new(
            ReportTable::Deflection,
            "Deflection",
            "Deflected: client errors answered with guidance when filed. A re-contact is a \
             report re-filing a deflected one by the same developer for the same endpoint \
             template and status code within 24 hours; the re-contact rate is re-contacts \
             ÷ deflected reports filed in the range."
                .to_owned(),
            &["Measure", "Reports", "Out of", "Rate %"],
        );
        let rows = [
            ("Deflected with guidance", d.deflected, d.reports),
            ("Routed to support", d.routed, d.reports),
            ("Self-solved after guidance", d.self_solved, d.deflected),
            ("Escalated after guidance", d.escalated, d.deflected),
            ("No answer to guidance yet", d.no_answer, d.deflected),
            ("Re-contacts within 24 h", d.recontacts, d.deflected),
        ];
        for (label, part, whole) in rows {
            t.rows.push(vec![
                label.to_owned(),
                n(part),
                n(whole),
                fmt_pct(ratio_pct(part, whole)),
            ]);
        }
        t
    }

    fn deflection_by_article(&self) -> Table {
        let mut t = Table::new(
            ReportTable::DeflectionByArticle,
            "Deflection per guidance article",
            "Client-error reports filed in the range, by the article they were shown, most \
             escalated first. Self-solve rate: “this solved it” ÷ reports shown. A re-contact \
             is a report that re-filed a deflected one (same developer, endpoint template and \
             status code) within 24 hours. An article with a low self-solve rate, many \
             escalations or re-contacts is the one to rewrite: its name opens it in the \
             guidance editor."
                .to_owned(),
            &[
                "Article",
                "Shown",
                "This solved it",
                "Still failing (escalated)",
                "No answer yet",
                "Re-contacts within 24 h",
                "Self-solve rate %",
            ],
        );
        for a in &self.by_article {
            t.rows.push(vec![
                a.title.clone(),
                n(a.shown),
                n(a.self_solved),
                n(a.escalated),
                n(a.no_answer),
                n(a.recontacts),
                fmt_pct(ratio_pct(a.self_solved, a.shown)),
            ]);
            t.links.push(Some(format!("/guidance/{}", a.slug)));
        }
        t
    }
}

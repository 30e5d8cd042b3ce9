-- Manager reports (PRODUCT §8). Every aggregation reads one range of local filing days
-- (`created_day`), so each index starts with it and carries the columns its query
-- needs: the queries are answered from the index alone, without touching the table.

-- Reports by day, disposition, status code, transport failure, feedback and re-contact
-- flag, with SLA outcomes: grouped in index order, so the database streams the groups
-- without sorting.
CREATE INDEX reports_report_day ON reports (
    created_day, disposition, status_code, transport, feedback, recontact, due_at,
    first_response_at
);

-- Reports by endpoint template (grouped by day and template, in index order). Also
-- narrows a range down to its breaches before any table row is read.
CREATE INDEX reports_report_endpoint ON reports (
    created_day, endpoint_template, disposition, due_at, first_response_at
);

-- First-response times of answered tickets (percentiles and their distribution).
CREATE INDEX reports_report_responses ON reports (
    created_day, disposition, first_response_business_secs, first_response_at, routed_at,
    due_at
) WHERE first_response_at IS NOT NULL;

-- The open backlog by age.
CREATE INDEX reports_report_backlog ON reports (routed_at, due_at, first_response_at)
    WHERE due_at IS NOT NULL AND status IN ('new', 'open', 'waiting');

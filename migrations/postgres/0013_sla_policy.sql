-- The SLA policy managers edit (PRODUCT §5), kept as a history: the newest row is in
-- force; a clock takes the policy in force when it starts, so an existing due time
-- never moves. Targets are business time as written on the page ("1d", "4h 30m"),
-- a day being the calendar's standard business day when a clock starts.
CREATE TABLE sla_policies (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_response_normal  TEXT    NOT NULL,
    first_response_low     TEXT    NOT NULL,
    at_risk_percent        INTEGER NOT NULL CHECK (at_risk_percent BETWEEN 1 AND 99),
    created_at             BIGINT  NOT NULL,
    created_by             BIGINT  REFERENCES users (id)
);
INSERT INTO sla_policies (first_response_normal, first_response_low, at_risk_percent, created_at)
VALUES ('1d', '2d', 25, 0);

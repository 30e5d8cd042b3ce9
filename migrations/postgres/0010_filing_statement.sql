-- PostgreSQL files a batch of reports with one statement, outside an explicit
-- transaction (one round trip, one commit). A batch that cannot be filed that way — a
-- report joins an incident whose lead is no longer active (the incident is recomputed),
-- or whose accepting incident is older than the window — calls this, which aborts the
-- statement with nothing written; the writer then files the batch step by step inside
-- a transaction. VOLATILE (the default), so the planner never evaluates it ahead.
CREATE FUNCTION faultdesk_file_in_transaction() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'this batch of filings needs a transaction' USING ERRCODE = 'FD001';
END
$$;

-- Agents edit guidance articles in the app (PRODUCT §4). Every version is kept
-- (who, when, what it said), and a report keeps the version it was shown, so later
-- edits never rewrite what a developer saw. An article is retired rather than deleted:
-- it stops matching, its versions stay.
ALTER TABLE guidance_articles ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
-- How `keywords` is written: 'words' (alternatives | of words joined by +, matched
-- case-insensitively at word starts) or 'regex' (a case-insensitive regular expression).
ALTER TABLE guidance_articles ADD COLUMN pattern_kind TEXT NOT NULL DEFAULT 'words';
ALTER TABLE guidance_articles ADD COLUMN retired_at BIGINT;

CREATE TABLE guidance_versions (
    slug         TEXT    NOT NULL REFERENCES guidance_articles (slug),
    version      BIGINT  NOT NULL,
    codes        TEXT    NOT NULL,
    keywords     TEXT    NOT NULL,
    pattern_kind TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    checks       TEXT    NOT NULL,
    call_again   TEXT    NOT NULL,
    retry_same_request BOOLEAN NOT NULL,
    retired      BOOLEAN NOT NULL,
    created_at   BIGINT  NOT NULL,
    created_by   BIGINT  REFERENCES users (id),  -- NULL: the installation's catalogue
    PRIMARY KEY (slug, version)
);

INSERT INTO guidance_versions (slug, version, codes, keywords, pattern_kind, title, summary,
    checks, call_again, retry_same_request, retired, created_at, created_by)
SELECT slug, 1, codes, keywords, 'words', title, summary, checks, call_again,
    retry_same_request, FALSE, updated_at, NULL
FROM guidance_articles;

-- The version of `guidance_slug` the developer was shown (NULL on reports filed before
-- versions were kept: they saw version 1).
ALTER TABLE reports ADD COLUMN guidance_version BIGINT;

"""The crawler's tables in state.db: crawl runs (source health) and what they could not see
(blind spots), fetched pages (deltafetch) and near-duplicate signatures."""

from __future__ import annotations

from core.db import Schema

TABLES = """
CREATE TABLE IF NOT EXISTS source_runs (
    run_id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    pages INTEGER DEFAULT 0,
    items INTEGER DEFAULT 0,
    new INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0,
    last_error TEXT,
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE INDEX IF NOT EXISTS source_runs_source ON source_runs (source, run_id);
CREATE TABLE IF NOT EXISTS crawl_seen (
    url_key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_fetch INTEGER NOT NULL,
    published_ts INTEGER
);
CREATE TABLE IF NOT EXISTS near_dup (
    post_id TEXT PRIMARY KEY,
    signature BLOB NOT NULL,     -- NUM_PERM little-endian uint32 MinHash values
    seen_ts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS near_dup_key (
    key INTEGER NOT NULL,        -- hash of one band of the signature
    post_id TEXT NOT NULL,
    PRIMARY KEY (key, post_id)
) WITHOUT ROWID;
"""

BLIND_SPOTS = """
CREATE TABLE IF NOT EXISTS blind_spots (
    run_id INTEGER NOT NULL REFERENCES source_runs (run_id),
    source TEXT NOT NULL,
    kind TEXT NOT NULL,          -- crawler.blind_spots.KINDS
    count INTEGER NOT NULL,
    example TEXT,                -- the first URL (redacted) and detail of this kind in the run
    PRIMARY KEY (run_id, kind)
);
CREATE INDEX IF NOT EXISTS blind_spots_source ON blind_spots (source, run_id);
"""

SCHEMA = Schema("crawler", (TABLES, BLIND_SPOTS))

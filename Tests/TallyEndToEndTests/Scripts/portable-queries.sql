-- Queries that must give the same rows in the exported SQLite file and in PostgreSQL
-- (PostgresExportTests). Portable SQL: booleans through CASE, money summed in cents, dates
-- compared with ISO literals, NULLs ordered explicitly. Each query starts at a "-- name:" line.

-- name: customers
SELECT count(*) AS n FROM customer;

-- name: tiers
SELECT tier, count(*) AS n FROM customer GROUP BY tier ORDER BY COALESCE(tier, '');

-- name: revenue-per-owner
SELECT c.owner, SUM(o.amount_cents) AS cents, count(*) AS orders
FROM customer_orders o JOIN customer c ON c.id = o.customer_id
GROUP BY c.owner ORDER BY COALESCE(c.owner, '');

-- name: chinese-names
SELECT id, name FROM customer WHERE name LIKE '%科技%' ORDER BY id;

-- name: follow-ups
SELECT customer_id, idx, date, "by", channel, summary, outcome, next_contact
FROM customer_follow_ups ORDER BY customer_id, idx LIMIT 400;

-- name: follow-ups-per-month
SELECT substr(CAST(date AS TEXT), 1, 7) AS month, count(*) AS n
FROM customer_follow_ups GROUP BY substr(CAST(date AS TEXT), 1, 7) ORDER BY 1;

-- name: customers-as-of-august
SELECT id, tier, status, owner FROM history_customer
WHERE valid_from <= '2026-08-01 00:00:00' AND (valid_to IS NULL OR valid_to > '2026-08-01 00:00:00')
  AND change <> 'removed'
ORDER BY id;

-- name: versions-per-change
SELECT change, count(*) AS n FROM history_customer GROUP BY change ORDER BY change;

-- name: commits
SELECT oid, seq, parent_oid, CASE WHEN is_merge THEN 1 ELSE 0 END AS merge, author_name, author_email,
  author_staff_id, author_time, committer_time, message
FROM commits ORDER BY seq;

-- name: field-changes
SELECT f.type, f.id, f.path, f.kind, f.old_value, f.new_value
FROM field_changes f JOIN commits c ON c.oid = f.commit_oid
ORDER BY c.seq, f.type, f.id, f.path, f.kind, COALESCE(f.old_value, ''), COALESCE(f.new_value, '')
LIMIT 800;

-- name: commits-per-author
SELECT COALESCE(author_staff_id, '(unknown)') AS who, count(*) AS n
FROM commits GROUP BY COALESCE(author_staff_id, '(unknown)') ORDER BY 1;

-- name: third-quarter-revenue
SELECT SUM(amount_cents) AS cents, count(*) AS orders FROM customer_orders
WHERE date >= '2026-07-01' AND date < '2026-10-01';

-- name: staff
SELECT id, name, role, team, reports_to, email, phone, joined, "left", status FROM staff ORDER BY id;

-- name: customers-per-person
SELECT s.id, s.name, count(c.id) AS customers
FROM staff s LEFT JOIN customer c ON c.owner = s.id GROUP BY s.id, s.name ORDER BY s.id;

-- name: plan-targets
SELECT plan_id, idx, metric, target, assignee FROM plan_targets ORDER BY plan_id, idx;

-- name: action-items
SELECT minutes_id, idx, task, owner, due, status, done_on FROM minutes_action_items ORDER BY minutes_id, idx;

-- name: stale-a-customers
WITH last AS (
  SELECT customer_id, MAX(date) AS last_call FROM customer_follow_ups GROUP BY customer_id
)
SELECT c.id, c.name, last.last_call FROM customer c JOIN last ON last.customer_id = c.id
WHERE c.tier = 'A' AND last.last_call < '2026-10-01' ORDER BY c.id;

-- name: follow-up-item-versions
SELECT customer_id, count(*) AS n, count(valid_to) AS closed
FROM history_customer_follow_ups GROUP BY customer_id ORDER BY customer_id LIMIT 60;

-- name: owner-changes
SELECT id, version, owner, LAG(owner) OVER (PARTITION BY id ORDER BY version) AS before
FROM history_customer ORDER BY id, version LIMIT 400;

-- name: full-text
SELECT type, id, field FROM search WHERE text LIKE '%报价单%' ORDER BY type, id, field;

-- name: meta
SELECT schema_hash, head_oid, tally_version, layout_version FROM meta;

-- title: A-tier customers of a team with no call for a while
-- param: team = 华东二组
-- param: days = 30
-- param: today = 2026-10-30
-- The newest follow-up of each customer, against the team's A-tier customers.
SELECT c.id, c.name, c.industry, s.name AS owner, MAX(f.date) AS last_call,
       CAST(julianday(:today) - julianday(MAX(f.date)) AS INTEGER) AS days
FROM customer c
JOIN staff s ON s.id = c.owner
LEFT JOIN customer_follow_ups f ON f.customer_id = c.id
WHERE c.tier = 'A' AND s.team = :team AND c.status NOT IN ('churned', 'dormant')
GROUP BY c.id
HAVING last_call IS NULL OR julianday(:today) - julianday(last_call) > :days
ORDER BY days DESC;

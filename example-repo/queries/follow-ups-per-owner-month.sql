-- title: Follow-ups per rep per month
-- param: year = 2026
SELECT s.name AS rep, s.team, substr(f.date, 1, 7) AS month, count(*) AS follow_ups
FROM customer_follow_ups f
JOIN staff s ON s.id = f.by
WHERE substr(f.date, 1, 4) = CAST(:year AS TEXT)
GROUP BY f.by, month
ORDER BY month, follow_ups DESC;

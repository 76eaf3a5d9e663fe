-- title: Revenue per owner in a period, as the plan report counts it
-- param: from = 2026-07-01
-- param: to = 2026-09-30
-- An order counts for whoever owned the customer at the end of the order's day (from the
-- history: the version in force then); an order dated before the customer was recorded
-- counts for its first owner. Sums in cents: exact.
WITH orders AS (
  SELECT o.customer_id, o.date, o.amount_cents,
    COALESCE(
      (SELECT h.owner FROM history_customer h
        WHERE h.id = o.customer_id AND h.change != 'removed'
          AND h.valid_from < date(o.date, '+1 day')
          AND (h.valid_to IS NULL OR h.valid_to >= date(o.date, '+1 day'))),
      (SELECT h.owner FROM history_customer h WHERE h.id = o.customer_id ORDER BY h.version LIMIT 1)
    ) AS owner
  FROM customer_orders o
  WHERE o.date BETWEEN :from AND :to
)
SELECT s.id AS staff, s.name, s.team, count(*) AS orders, printf('%.2f', SUM(amount_cents) / 100.0) AS revenue
FROM orders JOIN staff s ON s.id = orders.owner
GROUP BY s.id
ORDER BY SUM(amount_cents) DESC;

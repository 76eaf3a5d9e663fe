-- title: Orders by product (exact amounts)
-- param: from = 2026-01-01
-- param: to = 2026-12-31
-- Amounts are summed in cents (amount_cents): exact, as the reports print them.
SELECT o.product, count(*) AS orders, printf('%.2f', SUM(o.amount_cents) / 100.0) AS amount
FROM customer_orders o
WHERE o.date BETWEEN :from AND :to
GROUP BY o.product
ORDER BY SUM(o.amount_cents) DESC;

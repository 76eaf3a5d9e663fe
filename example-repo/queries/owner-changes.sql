-- title: Customers handed from one rep to another, from the history
SELECT c.author_time AS "when", fc.id AS customer, fc.old_value AS from_owner, fc.new_value AS to_owner,
       c.author_name AS by
FROM field_changes fc
JOIN commits c ON c.oid = fc.commit_oid
WHERE fc.type = 'customer' AND fc.path = 'owner' AND fc.kind = 'changed'
ORDER BY c.seq DESC;

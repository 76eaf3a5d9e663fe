#!/usr/bin/env python3
"""Writes Tests/TallyEndToEndTests/Twins/<code>/: for each diagnostic code that the telesales
schemas can produce, a copy of one example-repo file changed so that `tally check` reports
that code (an "invalid twin"). The end-to-end test overlays each twin on a copy of
example-repo/, runs tally check and compares the output with the twin's expected.txt.

Run it again after changing example-repo/ (then re-record with TALLY_RECORD_GOLDEN=1)."""
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "example-repo")
OUT = os.path.join(ROOT, "Tests", "TallyEndToEndTests", "Twins")


def read(path):
    with open(os.path.join(EXAMPLE, path), encoding="utf-8") as f:
        return f.read()


def sub(text, pattern, replacement, count=1):
    new, n = re.subn(pattern, replacement, text, count=count, flags=re.M)
    assert n, (pattern, text[:200])
    return new


twins = {}


def twin(code, path, text, extra=None):
    twins[code] = [(path, text)] + (extra or [])


c1 = read("customers/C-0001.yaml")
c3 = read("customers/C-0003.yaml")
s3 = read("staff/S-0003.yaml")
staff_schema = read("schema/staff.yaml")
customer_schema = read("schema/customer.yaml")

twin("unknown-field", "customers/C-0001.yaml", sub(c1, r"^tier: B$", "tier: B\ncolour: red"))
twin("missing-field", "customers/C-0001.yaml", sub(c1, r"^industry: .*\n", ""))
twin("empty-field", "customers/C-0001.yaml", sub(c1, r"^name: .*$", "name:"))
twin("wrong-kind", "customers/C-0001.yaml", sub(c1, r"^contacts:\n  - name: (.*)\n    title: .*\n    phone: .*$", r"contacts: \1"))
twin("line-break", "customers/C-0001.yaml", sub(c1, r"^name: (.*)$", "name: |\n  \\1\n  （上海）"))
twin("not-an-integer", "staff/S-0003.yaml", sub(s3, r"plan_score: 95", "plan_score: 95.5"))
twin("not-a-number", "staff/S-0003.yaml", sub(s3, r"hours: 8", "hours: 八"))
twin("not-money", "staff/S-0003.yaml", sub(s3, r"bonus: 3700.00", "bonus: 3700.005"))
twin("not-a-date", "customers/C-0001.yaml", sub(c1, r"date: 2026-05-04", "date: 2026-04-31"))
twin("not-in-enum", "customers/C-0001.yaml", sub(c1, r"^industry: catering$", "industry: 餐饮"))
twin("not-an-email", "staff/S-0003.yaml", sub(s3, r"^email: .*$", "email: xumin.huadong.example"))
twin("not-a-phone", "staff/S-0003.yaml", sub(s3, r"^phone: .*$", "phone: '1566'"))
twin("pattern-mismatch", "staff/S-0003.yaml", sub(s3, r"period: 2026-Q1", "period: 2026 第一季度"))
twin("too-long", "customers/C-0001.yaml", sub(c1, r"^name: (.*)$", "name: \\1" + "（华东区域总部暨长三角一体化发展示范区采购与供应链管理中心）" * 3))
twin("too-small", "staff/S-0003.yaml", sub(s3, r"plan_score: 95", "plan_score: -5"))
twin("too-large", "staff/S-0003.yaml", sub(s3, r"plan_score: 95", "plan_score: 105"))
twin("too-few-items", "customers/C-0001.yaml", sub(c1, r"^contacts:\n(  - .*\n|    .*\n)+", "contacts: []\n"))
twin("duplicate-item", "staff/S-0003.yaml", sub(s3, r"period: 2026-Q2", "period: 2026-Q1"))
twin("bad-ref-id", "customers/C-0001.yaml", sub(c1, r"^owner: .*$", "owner: 王芳"))
twin("broken-ref", "customers/C-0001.yaml", sub(c1, r"^owner: .*$", "owner: S-0999"))
twin("ref-condition", "customers/C-0001.yaml", sub(c1, r"^owner: .*$", "owner: S-0001"))
twin("cycle", "staff/S-0001.yaml", sub(read("staff/S-0001.yaml"), r"^team: (.*)$", "team: \\1\nreports_to: S-0003"))
twin("not-unique", "staff/S-0003.yaml", sub(s3, r"^email: .*$", "email: " + re.search(r"^email: (.*)$", read("staff/S-0002.yaml"), re.M).group(1)))
twin("rule", "customers/C-0001.yaml", sub(c1, r"^status: prospect$", "status: churned"))
twin("rule-error", "customers/C-0001.yaml", sub(c1, r"^  - date: 2026-06-23\n", "  -\n"))
twin("bad-id", "customers/c-42.yaml", c1)
twin("stray-file", "customers/notes.txt", "下周一统一回访 A 类客户\n")
twin("nested-directory", "customers/2026/C-0001.yaml", c1)
twin("unassigned-file", "archive/customers/C-0001.yaml", c1)
# Schema files.
twin("schema-unknown-key", "schema/customer.yaml", sub(customer_schema, r"^    required: true\n    max_length: 80$", "    requird: true\n    max_length: 80"))
twin("schema-missing", "schema/customer.yaml", sub(customer_schema, r"^  churn_reason:\n    type: text\n", "  churn_reason:\n"))
twin("schema-bad-value", "schema/customer.yaml", sub(customer_schema, r"^    unique: true$", "    unique: yes"))
twin("schema-unknown-type", "schema/customer.yaml", sub(customer_schema, r"^  needs:\n    type: multiline$", "  needs:\n    type: paragraph"))
twin("schema-unknown-ref", "schema/customer.yaml", sub(customer_schema, r"^    to: staff\n    required: true\n    where", "    to: employee\n    required: true\n    where"))
twin("schema-bad-pattern", "schema/customer.yaml", sub(customer_schema, r"\^C-\[0-9\]\{4,\}\$", "^C-([0-9]{4,}$"))
twin("schema-bad-rule", "schema/customer.yaml", sub(customer_schema, r"check: churn_reason != null", "check: churn_reason != null and"))
twin("schema-unknown-name", "schema/customer.yaml", sub(customer_schema, r"check: churn_reason != null", "check: churn_reasons != null"))
twin("schema-version", "schema/customer.yaml", sub(customer_schema, r"^version: 1$", "version: 3"))
twin("schema-duplicate-type", "schema/client.yaml", sub(customer_schema, r"^directory: customers$", "directory: clients"))
twin("schema-duplicate-directory", "schema/client.yaml", sub(customer_schema, r"^type: customer$", "type: client"))
tally = read("tally.yaml")
twin("config-unknown-key", "tally.yaml", sub(tally, r"^currency: CNY$", "currency: CNY\nlanguage: zh"))
twin("config-missing", "tally.yaml", sub(tally, r"^version: 1\n", ""))
twin("config-bad-value", "tally.yaml", sub(tally, r"^time_zone: .*$", "time_zone: Beijing"))
twin("config-version", "tally.yaml", sub(tally, r"^version: 1$", "version: 2"))

shutil.rmtree(OUT, ignore_errors=True)
for code, files in sorted(twins.items()):
    for path, text in files:
        target = os.path.join(OUT, code, "files", path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
print(f"wrote {len(twins)} twins to {os.path.relpath(OUT, ROOT)}")

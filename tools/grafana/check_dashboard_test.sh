#!/usr/bin/env bash
# The Grafana dashboard is valid JSON and every query in it is valid PromQL,
# as Prometheus's own promtool parses it (each becomes a recording rule).
set -euo pipefail
rules="${TEST_TMPDIR}/dashboard_rules.yml"
python3 - tools/grafana/shop-dashboard.json "${rules}" <<'PY'
import json, sys
dashboard = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
assert len(exprs) == len(dashboard["panels"]) >= 10, "a query per panel"
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, expr in enumerate(exprs):
        assert "shop_" in expr, expr
        out.write("      - record: dashboard:panel_%d\n        expr: %s\n" % (i, json.dumps(expr)))
PY
/usr/bin/promtool check rules "${rules}"

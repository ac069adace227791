#!/usr/bin/env bash
# Checks the monitoring in deploy/monitoring with promtool (Debian package prometheus):
#   1. alerts.yml parses and its PromQL is valid (promtool check rules);
#   2. every alert fires on the failure it names, and only there (promtool test rules on
#      alerts.test.yml);
#   3. every query of the Grafana dashboard (dashboard.json) is valid PromQL: each is written
#      into a rules file as a recording rule and checked the same way.
# Stops at the first failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
dir="$REPO_ROOT/deploy/monitoring"
command -v promtool >/dev/null || die "promtool is missing: apt-get install prometheus (scripts/setup.sh does)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

promtool check rules "$dir/alerts.yml"
(cd "$dir" && promtool test rules alerts.test.yml)
python3 - "$dir/dashboard.json" "$tmp/dashboard-rules.yml" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
assert exprs, "the dashboard has no queries"
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        out.write(f"      - record: dashboard:query{i}\n        expr: {json.dumps(e)}\n")
print(f"dashboard: {len(d['panels'])} panels, {len(exprs)} queries")
PY
promtool check rules "$tmp/dashboard-rules.yml"
log "monitoring: $(grep -c '^      - alert:' "$dir/alerts.yml") alert rules and the dashboard's queries valid, rule tests passed"

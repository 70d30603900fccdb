#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: sluiced's [metrics] listener, read by a real Prometheus and a real browser.
#
# The www.foobar.com topology (client, lb, web1/web2 with nginx), IPv4 only; the dataplane
# on af_packet in the lb namespace and sluiced next to it with http checks of web1/web2,
# one VRRP instance (no peer: it becomes MASTER and activates www) and
#   [metrics] listen = "LB_KERNEL4:9101", admin_actions = true,
#             admin_sources = ["LB_KERNEL4/32"]  (the lb namespace itself)
# Prometheus (Debian's package) runs in the lb namespace on 127.0.0.1, scrapes sluiced
# every second into a temporary data directory and loads configs/prometheus's rules.
#
#   1. promtool: the alerting rules check (and their unit tests pass); a scrape of
#      /metrics checks clean.
#   2. after PROBES requests through the VIP (then quiet), Prometheus' HTTP API gives the
#      values `sluicectl --json` gives: per backend packets, bytes, new flows, health,
#      admin state; per VIP packets; drops and rx_packets (between two readings of
#      show stats); config generation, dataplane connected and in sync, the VRRP
#      instance MASTER with its transition; per worker (labels worker, lcore) the flow
#      table's capacity, insert failures and evictions of show stats, its active flows
#      between two readings, its occupancy their quotient and its busy ratio in 0..1.
#   3. every rule of sluice-alerts.yml evaluates without error on the real series; every
#      sluice_* metric the Grafana dashboard and the rules name is in the scrape.
#   4. the status page in headless chromium: the rendered table of www has web1 and web2
#      with the health, admin state, effective state, packets and new flows of show
#      backends, the HA instance MASTER, the drops; a screenshot is kept in
#      BUILD_DIR/artifacts/e2e_metrics/.
#   5. admin actions: refused from the client (403, not in admin_sources), without the
#      X-Sluice-Admin header (403), for GET (405); from the lb namespace a drain applies
#      (show backends, Prometheus, the page) and a ready undoes it; after a reload with
#      admin_actions = false they are refused (403) and the page has no buttons.
#
#   BUILD_DIR=build-x tests/e2e/e2e_metrics.sh
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "$0")/../../scripts/lib/config.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "$0")/../../scripts/lib/dataplane.sh"
# shellcheck source=scripts/lib/sluiced.sh
source "$(dirname "$0")/../../scripts/lib/sluiced.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

PROBES="${PROBES:-20}"
METRICS_PORT=9101
PROM_ADDR=127.0.0.1:9090
if [[ "$BUILD_DIR" == /* ]]; then
  ARTIFACTS="$BUILD_DIR/artifacts/e2e_metrics"
else
  ARTIFACTS="$REPO_ROOT/$BUILD_DIR/artifacts/e2e_metrics"
fi
export SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
for tool in prometheus promtool chromium; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup.sh installs it)"
done
e2e_traps

METRICS_URL="http://$LB_KERNEL4:$METRICS_PORT"
sluicectl_answer() { "$PY" "$REPO_ROOT/tests/lib/sluicectl_answer.py" "$@"; }
backend_json() { sluicectl_run --json show backends www | sluicectl_answer backend "$1" "$2"; }
info_json() { sluicectl_run --json show info | sluicectl_answer info "$1"; }
# json_at COMMAND PYTHON-EXPR: EXPR of `sluicectl --json COMMAND`'s answer (as `a`).
json_at() {
  # shellcheck disable=SC2086 # COMMAND is words
  sluicectl_run --json $1 | "$PY" -c "import json, sys; a = json.load(sys.stdin); print($2)"
}
stat_json() { json_at "show stats" "a['$1']"; }
vip_json() { json_at "show vips" "next(v['$2'] for v in a['vips'] if v['name'] == '$1')"; }
ha_json() { json_at "show ha" "a['instances'][0]['$1']"; }
# prom QUERY: the value of QUERY's one sample now ('none' without one).
prom() {
  in_ns lb curl -s --max-time 5 "http://$PROM_ADDR/api/v1/query" --data-urlencode "query=$1" |
    "$PY" "$REPO_ROOT/tests/lib/prometheus_answer.py" value
}
prom_is() { [[ "$(prom "$1")" == "$2" ]]; }
# expect_prom QUERY WANT WHAT: Prometheus answers WANT for QUERY (waiting up to 5 s for a
# scrape to bring it).
expect_prom() {
  wait_until 5 prom_is "$1" "$2" || die "$3: Prometheus has $1 = $(prom "$1"), want $2"
  ok "$3: Prometheus $1 = $2"
}
# post NODE BODY [CURL ARGS...]: POST BODY to /admin/backend from NODE; prints
# "STATUS ANSWER".
post() {
  local node="$1" body="$2" code
  shift 2
  code="$(in_ns "$node" curl -s --max-time 5 -o "$TOPO_DIR/post.out" -w '%{http_code}' "$@" \
    --data "$body" "$METRICS_URL/admin/backend")"
  printf '%s %s\n' "$code" "$(tr -d '\n' <"$TOPO_DIR/post.out")"
}
# browser ARGS...: headless chromium in the lb namespace.
browser() {
  local profile
  profile="$(mktemp -d "$TOPO_DIR/chromium.XXXXXX")"
  in_ns lb timeout 60 chromium --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync \
    --no-first-run --user-data-dir="$profile" --virtual-time-budget=4000 "$@" \
    2>>"$TOPO_DIR/chromium.log"
}
# page_rows: the status page's rows as the browser rendered them (status_page_rows.py).
page_rows() { browser --dump-dom "$METRICS_URL/" | "$PY" "$REPO_ROOT/tests/lib/status_page_rows.py"; }

# === setup ===============================================================================
topo_up
lb_kernel_address
# node_tables ADMIN_ACTIONS: the [metrics] and [[vrrp]] tables of the run's config.
node_tables() {
  cat <<EOF

[metrics]
listen = "$LB_KERNEL4:$METRICS_PORT"
admin_actions = $1
admin_sources = ["$LB_KERNEL4/32"]

[[vrrp]]
name = "vi_www"
interface = "$LB_IFACE"
vrid = 61
priority = 150
advert_interval = 0.1
address = "$LB_KERNEL4"
vips = ["www"]
EOF
}
{
  sluice_config web1 web2
  node_tables true
} >"$TOPO_DIR/admin-on.toml"
{
  sluice_config web1 web2
  node_tables false
} >"$TOPO_DIR/admin-off.toml"
sluice_start "$TOPO_DIR/admin-on.toml"
sluiced_start || die "sluiced did not start"
grep -q "metrics on $METRICS_URL/" "$SLUICED_LOG" || die "sluiced's log does not say where /metrics is"
ha_is() { [[ "$(ha_json state)" == "$1" ]]; }
health_is() { [[ "$(backend_json "$1" health)" == "$2" ]]; }
wait_until 10 ha_is MASTER || die "vi_www is not MASTER: $(ha_json state)"
for a in "$WEB1_4" "$WEB2_4"; do
  wait_until 10 health_is "$a" UP || die "$a is not UP"
done
vip_wait "$(vip_url 4)" 20 || die "the VIP never answered"
ok "dataplane, sluiced (MASTER of vi_www), web1 and web2 UP; /metrics at $METRICS_URL"

# === 1. promtool =========================================================================
out="$(promtool check rules "$REPO_ROOT/configs/prometheus/sluice-alerts.yml" 2>&1)" ||
  die "promtool check rules: $out"
ok "promtool check rules: $(grep -o 'SUCCESS: [0-9]* rules found' <<<"$out")"
out="$(promtool test rules "$REPO_ROOT/tests/prometheus/sluice-alerts_test.yml" 2>&1)" ||
  die "promtool test rules: $out"
ok "promtool test rules: the alerts fire as tests/prometheus/sluice-alerts_test.yml says"
in_ns lb curl -s --max-time 5 -o "$TOPO_DIR/scrape.txt" "$METRICS_URL/metrics" || die "no /metrics"
out="$(promtool check metrics <"$TOPO_DIR/scrape.txt" 2>&1)" || die "promtool check metrics: $out"
ok "promtool check metrics: a scrape of $(wc -l <"$TOPO_DIR/scrape.txt") lines is clean"

# === 2. Prometheus agrees with sluicectl ================================================
mkdir -p "$TOPO_DIR/prometheus"
cat >"$TOPO_DIR/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $REPO_ROOT/configs/prometheus/sluice-alerts.yml
scrape_configs:
  - job_name: sluice
    static_configs:
      - targets: ["$LB_KERNEL4:$METRICS_PORT"]
EOF
topo_bg lb "$TOPO_DIR/prometheus/log" prometheus \
  --config.file="$TOPO_DIR/prometheus/prometheus.yml" \
  --storage.tsdb.path="$TOPO_DIR/prometheus/data" --web.listen-address="$PROM_ADDR" \
  --log.level=warn
wait_until 20 prom_is 'up{job="sluice"}' 1 ||
  die "Prometheus does not scrape sluiced: $(tail -n 5 "$TOPO_DIR/prometheus/log")"
ok "Prometheus scrapes sluiced every second"

served=0
for ((i = 0; i < PROBES; i++)); do
  www_get "$(vip_url 4)" >/dev/null && served=$((served + 1))
done
((served == PROBES)) || die "only $served of $PROBES requests through the VIP answered"
# The dataplane reports every second: wait until two readings agree, then for a scrape.
counters() { json_at "show backends www" "[(b['packets'], b['bytes'], b['new_flows']) for b in a['backends']]"; }
settled() {
  local a b
  a="$(counters)"
  sleep 1.2
  b="$(counters)"
  [[ "$a" == "$b" ]]
}
wait_until 10 settled || die "the backend counters did not settle"
rx_before="$(stat_json rx_packets)"
drop_before="$(stat_json drop_not_for_us)"
sleep 1.5
for a in "$WEB1_4" "$WEB2_4"; do
  for f in packets bytes new_flows; do
    expect_prom "sluice_backend_${f}_total{vip=\"www\",backend=\"$a\"}" \
      "$(backend_json "$a" "$f")" "$a $f"
  done
  expect_prom "sluice_backend_health{backend=\"$a\",state=\"up\"}" 1 "$a UP"
  expect_prom "sluice_backend_admin_state{backend=\"$a\",state=\"ready\"}" 1 "$a ready"
done
total=$(($(backend_json "$WEB1_4" new_flows) + $(backend_json "$WEB2_4" new_flows)))
((total >= PROBES)) || die "the backends started $total flows, fewer than the $PROBES requests"
expect_prom 'sluice_vip_packets_total{vip="www"}' "$(vip_json www packets)" "www packets"
expect_prom 'sluice_vip_serving_backends{vip="www"}' 2 "www serving backends"
p="$(prom sluice_dataplane_rx_packets_total)"
rx_after="$(stat_json rx_packets)"
((rx_before <= p && p <= rx_after)) ||
  die "Prometheus rx_packets = $p, not within show stats' $rx_before..$rx_after"
ok "Prometheus sluice_dataplane_rx_packets_total = $p, within show stats' $rx_before..$rx_after"
p="$(prom 'sluice_dataplane_drops_total{reason="not_for_us"}')"
drop_after="$(stat_json drop_not_for_us)"
((drop_before <= p && p <= drop_after)) ||
  die "Prometheus drops not_for_us = $p, not within show stats' $drop_before..$drop_after"
ok "Prometheus sluice_dataplane_drops_total{reason=\"not_for_us\"} = $p, within $drop_before..$drop_after"
workers="$(json_at "show stats" "len(a['workers'])")"
((workers >= 1)) || die "show stats lists no worker"
for ((w = 0; w < workers; w++)); do
  worker_json() { json_at "show stats" "a['workers'][$w]['$1']"; }
  labels="worker=\"$w\",lcore=\"$(worker_json lcore)\""
  for f in flow_capacity:sluice_worker_flow_table_capacity \
    flow_insert_failures:sluice_worker_flow_insert_failures_total \
    flow_evictions:sluice_worker_flow_evictions_total; do
    expect_prom "${f#*:}{$labels}" "$(worker_json "${f%%:*}")" "worker $w ${f%%:*}"
  done
  active_before="$(worker_json active_flows)"
  p="$(prom "sluice_worker_active_flows{$labels}")"
  active_after="$(worker_json active_flows)"
  if ((p < active_before && p < active_after)) || ((p > active_before && p > active_after)); then
    die "Prometheus worker $w active flows = $p, not between show stats' $active_before and $active_after"
  fi
  ok "Prometheus sluice_worker_active_flows{$labels} = $p, between $active_before and $active_after"
  expect_prom "abs(sluice_worker_flow_table_occupancy{$labels} - sluice_worker_active_flows{$labels} / sluice_worker_flow_table_capacity{$labels}) < bool 1e-9" \
    1 "worker $w occupancy = active flows / capacity"
  expect_prom "sluice_worker_busy_ratio{$labels} >= bool 0 and sluice_worker_busy_ratio{$labels} <= bool 1" \
    1 "worker $w busy ratio in 0..1"
done
expect_prom 'sluice_config_generation' "$(info_json config_generation)" "config generation"
expect_prom 'sluice_dataplane_connected' 1 "dataplane connected"
expect_prom 'sluice_dataplane_sync_state{state="in sync"}' 1 "in sync"
expect_prom 'sluice_vrrp_state{vrrp_instance="vi_www",state="MASTER"}' 1 "vi_www MASTER"
expect_prom 'sluice_vrrp_transitions_total{vrrp_instance="vi_www",state="MASTER"}' 1 \
  "vi_www became MASTER once"
expect_prom 'sluice_vrrp_priority{vrrp_instance="vi_www"}' "$(ha_json priority)" "vi_www priority"
expect_prom 'sum(sluice_health_check_duration_seconds_count{type="http",result="success"}) > bool 0' 1 \
  "successful http checks timed"

# === 3. the rules and the dashboard over the real series ==================================
in_ns lb curl -s --max-time 5 "http://$PROM_ADDR/api/v1/rules" |
  "$PY" "$REPO_ROOT/tests/lib/prometheus_answer.py" rules >"$TOPO_DIR/rules.out"
n="$(grep -c '^sluice ' "$TOPO_DIR/rules.out" || true)"
bad="$(awk '$3 != "ok"' "$TOPO_DIR/rules.out")"
if ((n != 17)) || [[ -n "$bad" ]]; then
  die "the rules as Prometheus runs them ($n, want 17 with health ok): $(cat "$TOPO_DIR/rules.out")"
fi
ok "Prometheus evaluates all $n rules of sluice-alerts.yml without error"
in_ns lb curl -s --max-time 5 -o "$TOPO_DIR/scrape.txt" "$METRICS_URL/metrics"
missing=()
# The BGP series exist only with [bgp] (e2e_bgp_ipip_v6 checks them).
while read -r name; do
  [[ $name == sluice_bgp_* ]] && continue
  grep -q "^${name}[{ ]" "$TOPO_DIR/scrape.txt" || grep -q "^${name}_bucket{" "$TOPO_DIR/scrape.txt" ||
    missing+=("$name")
done < <(grep -ho 'sluice_[a-z_]*' "$REPO_ROOT/configs/grafana/sluice-dashboard.json" \
  "$REPO_ROOT/configs/prometheus/sluice-alerts.yml" | sort -u)
((${#missing[@]} == 0)) || die "named by the dashboard or the rules, not in a scrape: ${missing[*]}"
ok "every sluice_* metric the dashboard and the rules name is in the scrape"

# === 4. the status page in a browser ======================================================
mkdir -p "$ARTIFACTS"
page_rows >"$TOPO_DIR/page.out"
sed 's/^/    /' "$TOPO_DIR/page.out"
for a in "$WEB1_4" "$WEB2_4"; do
  want="www $a UP ready serving $(backend_json "$a" packets) $(backend_json "$a" new_flows)"
  grep -qxF "$want ready*,drain,maint" "$TOPO_DIR/page.out" ||
    die "the status page has no row '$want' with the buttons ready (disabled), drain, maint"
done
ok "status page: www's table has web1 and web2 as show backends has them, with admin buttons"
grep -qx 'ha vi_www MASTER' "$TOPO_DIR/page.out" || die "the status page does not show vi_www MASTER"
grep -qx "drop not_for_us [0-9]*" "$TOPO_DIR/page.out" || die "the status page shows no drops by reason"
ok "status page: vi_www MASTER, drops by reason"
browser --screenshot="$ARTIFACTS/status-page.png" --window-size=1280,900 "$METRICS_URL/" >/dev/null
[[ -s "$ARTIFACTS/status-page.png" ]] || die "chromium wrote no screenshot"
ok "screenshot kept: $ARTIFACTS/status-page.png"

# === 5. admin actions =====================================================================
adm=(-H 'X-Sluice-Admin: 1')
drain="vip=www&backend=$WEB2_4&state=drain"
out="$(post client "$drain" "${adm[@]}")"
[[ "$out" == "403 admin actions are not allowed from $CLIENT4: not in [metrics] admin_sources" ]] ||
  die "a drain from the client answered '$out', want 403 (not in admin_sources)"
ok "from the client ($CLIENT4): $out"
out="$(post lb "$drain")"
[[ "$out" == "403 admin actions need the header X-Sluice-Admin: 1" ]] ||
  die "a drain without X-Sluice-Admin answered '$out'"
ok "without X-Sluice-Admin: $out"
out="$(in_ns lb curl -s --max-time 5 -o /dev/null -D - "$METRICS_URL/admin/backend" | tr -d '\r')"
if ! grep -q '^HTTP/1.1 405 ' <<<"$out" || ! grep -qx 'Allow: POST' <<<"$out"; then
  die "GET /admin/backend: $(head -n 1 <<<"$out"), want 405 with Allow: POST"
fi
ok "GET /admin/backend: 405, Allow: POST"
[[ "$(backend_json "$WEB2_4" admin_state)" == ready ]] || die "a refused action changed web2"
out="$(post lb "$drain" "${adm[@]}")"
[[ "$out" == "200 Backend $WEB2_4 of VIP www: state drain" ]] || die "the drain from lb answered '$out'"
[[ "$(backend_json "$WEB2_4" admin_state)" == drain ]] || die "show backends does not have web2 in drain"
ok "from lb ($LB_KERNEL4): $out; show backends agrees"
expect_prom "sluice_backend_admin_state{backend=\"$WEB2_4\",state=\"drain\"}" 1 "web2 drained"
page_rows >"$TOPO_DIR/page.out"
grep -qE "^www $WEB2_4 UP drain draining [0-9]+ [0-9]+ ready,drain\*,maint$" "$TOPO_DIR/page.out" ||
  die "the status page does not show web2 drained: $(cat "$TOPO_DIR/page.out")"
ok "status page: web2 drain, draining"
out="$(post lb "vip=www&backend=$WEB2_4&state=ready" "${adm[@]}")"
[[ "$out" == "200 Backend $WEB2_4 of VIP www: state ready" ]] || die "ready answered '$out'"
ok "ready again: $out"

cp "$TOPO_DIR/admin-off.toml" "$SLUICE_CONF.new" && mv "$SLUICE_CONF.new" "$SLUICE_CONF"
out="$(sluicectl_run reload)" || die "reload with admin_actions = false failed: $out"
out="$(post lb "$drain" "${adm[@]}")"
[[ "$out" == "403 admin actions are disabled; set admin_actions = true in [metrics]" ]] ||
  die "after the reload a drain from lb answered '$out'"
[[ "$(backend_json "$WEB2_4" admin_state)" == ready ]] || die "a refused action changed web2"
ok "after a reload with admin_actions = false: $out"
page_rows >"$TOPO_DIR/page.out"
grep -qE "^www $WEB1_4 UP ready serving [0-9]+ [0-9]+ -$" "$TOPO_DIR/page.out" ||
  die "the status page still offers admin actions: $(cat "$TOPO_DIR/page.out")"
ok "status page: read-only (no buttons)"

ok "e2e_metrics passed in $((SECONDS - T_START)) s"

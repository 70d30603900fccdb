# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The client-visible outage of a failover: a request through the VIP every 50 ms from
# the client (probe_start), and the outage those requests saw around an event
# (probe_outage). Owns PROBE_PID; reads TOPO_DIR and WWW_HOST.

[[ -n "${_SLUICE_OUTAGE_PROBE_SH:-}" ]] && return 0
_SLUICE_OUTAGE_PROBE_SH=1
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

# probe_start OUT COUNT [URL]: in the client (or the namespace PROBE_NODE names), start a
# GET through URL (default the www VIP) every 50 ms, COUNT of them, each on a new connection and given at most 0.9 s
# (under the 1 s SYN retransmission, so one lost SYN fails the request); each writes
# "START_TIME ok|fail" to OUT. PROBE_PID is the loop (wait for it).
probe_start() {
  local out="$1" count="$2" url="${3:-$(vip_url 4)}"
  : >"$out"
  cat >"$TOPO_DIR/probe.sh" <<'PROBE'
#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
out="$1" n="$2" url="$3" host="$4"
for ((i = 0; i < n; i++)); do
  {
    t=$EPOCHREALTIME
    if curl -s -o /dev/null --max-time 0.9 --connect-timeout 0.9 -H "Host: $host" "$url"; then
      echo "$t ok"
    else
      echo "$t fail"
    fi
  } >>"$out" &
  sleep 0.05
done
wait
PROBE
  topo_bg "${PROBE_NODE:-client}" "$TOPO_DIR/probe.log" bash "$TOPO_DIR/probe.sh" "$out" "$count" "$url" "$WWW_HOST"
  # shellcheck disable=SC2034 # read by the caller, which waits for it
  PROBE_PID="$TOPO_LAST_PID"
}

# probe_outage OUT EVENT: from the results of probe_start around EVENT (a time), print
#   "FAILS OUTAGE LAST_OK FIRST_OK LATE_FAILS"
# FAILS: failed requests; OUTAGE: first successful start after the last failure before
# recovery minus the last successful start before the first failure (0 without
# failures); LAST_OK / FIRST_OK relative to EVENT; LATE_FAILS: failures after recovery.
probe_outage() {
  sort -n "$1" | awk -v ev="$2" '
    { t[NR] = $1; r[NR] = $2 }
    END {
      n = NR; ff = 0
      for (i = 1; i <= n; i++) if (r[i] == "fail") { ff = i; break }
      if (!ff) { printf "0 0.000 - - 0\n"; exit }
      lo = 0
      for (i = ff - 1; i >= 1; i--) if (r[i] == "ok") { lo = i; break }
      # recovery: the first ok after which 10 in a row (or all the rest) succeed
      hi = 0
      for (i = ff; i <= n; i++) {
        if (r[i] != "ok") continue
        good = 1
        for (j = i; j <= n && j < i + 10; j++) if (r[j] != "ok") { good = 0; break }
        if (good) { hi = i; break }
      }
      fails = 0; late = 0
      for (i = 1; i <= n; i++) if (r[i] == "fail") { fails++; if (hi && i > hi) late++ }
      if (!lo || !hi) { printf "%d - %s %s %d\n", fails, lo ? sprintf("%.3f", t[lo] - ev) : "-", hi ? sprintf("%.3f", t[hi] - ev) : "-", late; exit }
      printf "%d %.3f %.3f %.3f %d\n", fails, t[hi] - t[lo], t[lo] - ev, t[hi] - ev, late
    }'
}

// SPDX-License-Identifier: BSD-3-Clause
#include "metrics/status_page.h"

#include "api/format.h"

namespace sluice::metrics {
namespace {

constexpr std::string_view kHtml = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice status</title>
<link rel="stylesheet" href="/status.css">
<script src="/status.js" defer></script>
</head>
<body>
<header>
<h1>sluice <span id="node"></span></h1>
<p id="summary">loading&hellip;</p>
<p id="message" role="status"></p>
</header>
<main>
<section id="ha"><h2>High availability</h2><div id="ha-body"></div></section>
<section id="vips"><h2>Virtual services</h2><div id="vip-tables"></div></section>
<section id="drops"><h2>Drops by reason</h2><div id="drops-body"></div></section>
</main>
<footer>Refreshes itself every 2 s from <a href="/status.json">/status.json</a>;
Prometheus metrics at <a href="/metrics">/metrics</a>.</footer>
<noscript><p>This page draws its tables with JavaScript; the same data is at
<a href="/status.json">/status.json</a> and <a href="/metrics">/metrics</a>.</p></noscript>
</body>
</html>
)html";

constexpr std::string_view kCss =
    R"css(:root { font-family: system-ui, sans-serif; font-size: 14px; color: #1d232a; }
body { margin: 1rem 1.5rem; background: #f7f8fa; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
h1 span { font-weight: normal; color: #5a6572; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
#summary { margin: 0; color: #3b4550; }
#message { min-height: 1.2em; margin: .3rem 0; font-weight: 600; }
#message.error { color: #b3261e; }
table { border-collapse: collapse; background: #fff; margin: 0 0 1rem; min-width: 40rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
caption .detail { font-weight: normal; color: #5a6572; }
th, td { border: 1px solid #d5dae0; padding: .25rem .55rem; text-align: left; white-space: nowrap; }
th { background: #e9edf2; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.reason { white-space: normal; max-width: 22rem; color: #3b4550; }
.health-UP { background: #d4f2d9; }
.health-DOWN { background: #f9d0cc; font-weight: 600; }
.health-unchecked { background: #eceff3; color: #5a6572; }
.admin-drain { background: #fde7c3; }
.admin-maint { background: #d6e4f7; }
.effective-serving { color: #1b6b2f; }
.effective-draining { color: #8a5a00; }
.effective-out { color: #b3261e; font-weight: 600; }
.state-MASTER { background: #d4f2d9; font-weight: 600; }
.state-BACKUP { background: #eceff3; }
.state-FAULT, .state-INIT { background: #f9d0cc; }
.nonzero { background: #fde7c3; font-weight: 600; }
button { font: inherit; margin-right: .2rem; padding: .05rem .45rem; cursor: pointer; }
footer { margin-top: 1.5rem; color: #5a6572; }
)css";

constexpr std::string_view kJs = R"js('use strict';
// sluice status page: fetches /status.json every REFRESH_MS and redraws. Text goes into
// the page as text nodes only.
const REFRESH_MS = 2000;
let last = null;  // {at: ms, packets: Map "vip backend" -> packets} of the previous refresh

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function age(s) {
  if (s === null || s === undefined) return '-';
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + (s % 60) + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h' + Math.floor((s % 3600) / 60) + 'm';
  return Math.floor(s / 86400) + 'd' + Math.floor((s % 86400) / 3600) + 'h';
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
}

function message(text, error) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

async function act(vip, backend, state) {
  const body = new URLSearchParams({vip, backend, state});
  try {
    const r = await fetch('/admin/backend', {
      method: 'POST',
      headers: {'X-Sluice-Admin': '1', 'Content-Type': 'application/x-www-form-urlencoded'},
      body,
    });
    const text = (await r.text()).trim();
    message(r.ok ? text : r.status + ': ' + text, !r.ok);
  } catch (e) {
    message('request failed: ' + e.message, true);
  }
  refresh(false);
}

function renderSummary(s) {
  const i = s.info;
  document.getElementById('node').textContent = i.version + ' (pid ' + i.pid + ')';
  const ha = s.ha.configured ? s.ha.instances.map(h => h.name + ' ' + h.state).join(', ') : 'no HA';
  let sync = i.dataplane_sync;
  if (i.dataplane_refusal) sync += ' (' + i.dataplane_refusal.split('\n')[0] + ')';
  document.getElementById('summary').textContent =
    'up ' + age(i.uptime_s) + ' · config generation ' + i.config_generation +
    ' (last reload ' + i.last_reload + ') · dataplane ' + sync + ' · ' + ha;
}

function renderHa(s) {
  const body = document.getElementById('ha-body');
  if (!s.ha.configured) { body.replaceChildren(el('p', {}, 'No HA instance configured.')); return; }
  const t = el('table', {id: 'ha-table'},
    el('thead', {}, el('tr', {}, ...['instance', 'interface', 'VRID', 'state', 'priority',
      'master', 'VIPs', 'last transition'].map(h => el('th', {}, h)))));
  const tb = el('tbody');
  for (const h of s.ha.instances) {
    let lastT = h.transitions.length ? h.transitions[h.transitions.length - 1] : '-';
    const at = lastT.match(/^(\d+) (.*)$/);  // "UNIX-TIME text"
    if (at) lastT = new Date(Number(at[1]) * 1000).toLocaleString() + ': ' + at[2];
    tb.append(el('tr', {'data-instance': h.name},
      el('td', {}, h.name), el('td', {}, h.interface), el('td', {class: 'num'}, h.vrid),
      el('td', {class: 'state-' + h.state, 'data-field': 'state'}, h.state),
      el('td', {class: 'num'}, h.priority + '/' + h.configured_priority),
      el('td', {}, h.master || '-'), el('td', {}, h.vips.join(', ')),
      el('td', {class: 'reason'}, lastT)));
  }
  t.append(tb);
  body.replaceChildren(t);
}

function renderVips(s, now) {
  const packets = new Map();
  const byVip = new Map(s.vips.vips.map(v => [v.name, []]));
  for (const b of s.backends.backends) {
    if (!byVip.has(b.vip)) byVip.set(b.vip, []);
    byVip.get(b.vip).push(b);
  }
  const admin = s.admin.allowed;
  const tables = [];
  for (const v of s.vips.vips) {
    const port = v.port === 0 ? '*' : v.port;
    const inDp = v.in_dataplane === null ? '' : v.in_dataplane ? '' : ' · NOT in the dataplane';
    const head = ['backend', 'health', 'since', 'last check', 'admin', 'weight', 'effective',
      'packets', 'bytes', 'new flows', 'pkt/s'];
    if (admin) head.push('actions');
    const t = el('table', {class: 'vip', id: 'vip-' + v.name, 'data-vip': v.name},
      el('caption', {}, v.name + ' ',
        el('span', {class: 'detail'}, v.address + ' ' + v.protocol + '/' + port + ' ' + v.mode +
          ' · ' + v.backends + ' backends, ' + v.serving + ' serving' + inDp)),
      el('thead', {}, el('tr', {}, ...head.map(h => el('th', {}, h)))));
    const tb = el('tbody');
    for (const b of byVip.get(v.name) || []) {
      const key = v.name + ' ' + b.address;
      packets.set(key, b.packets);
      let rate = '-';
      if (last && last.packets.has(key) && now > last.at) {
        rate = Math.max(0, (b.packets - last.packets.get(key)) * 1000 / (now - last.at)).toFixed(1);
      }
      const weight = b.admin_weight === b.weight ? String(b.weight)
        : b.admin_weight + ' (config ' + b.weight + ')';
      const row = el('tr', {'data-backend': b.address},
        el('td', {'data-field': 'backend'}, b.address),
        el('td', {class: 'health-' + b.health, 'data-field': 'health'}, b.health),
        el('td', {'data-field': 'since'}, age(b.last_change_s)),
        el('td', {class: 'reason', 'data-field': 'reason'}, b.health_reason || '-'),
        el('td', {class: 'admin-' + b.admin_state, 'data-field': 'admin'}, b.admin_state),
        el('td', {class: 'num', 'data-field': 'weight'}, weight),
        el('td', {class: 'effective-' + b.effective, 'data-field': 'effective'}, b.effective),
        el('td', {class: 'num', 'data-field': 'packets'}, b.packets),
        el('td', {class: 'num', 'data-field': 'bytes'}, bytes(b.bytes)),
        el('td', {class: 'num', 'data-field': 'new_flows'}, b.new_flows),
        el('td', {class: 'num', 'data-field': 'rate'}, rate));
      if (admin) {
        const cell = el('td', {'data-field': 'actions'});
        for (const state of ['ready', 'drain', 'maint']) {
          cell.append(el('button', {type: 'button', disabled: b.admin_state === state,
            onclick: () => act(v.name, b.address, state)}, state));
        }
        row.append(cell);
      }
      tb.append(row);
    }
    t.append(tb);
    tables.push(t);
  }
  document.getElementById('vip-tables').replaceChildren(
    ...(tables.length ? tables : [el('p', {}, 'No VIP configured.')]));
  last = {at: now, packets};
}

function renderDrops(s) {
  const rows = Object.entries(s.stats).filter(([k]) => k.startsWith('drop_'));
  const body = document.getElementById('drops-body');
  if (!rows.length) {
    body.replaceChildren(el('p', {}, 'No counters from the dataplane (' +
      s.info.dataplane_sync + ').'));
    return;
  }
  const t = el('table', {id: 'drops-table'},
    el('thead', {}, el('tr', {}, el('th', {}, 'reason'), el('th', {}, 'packets'))));
  const tb = el('tbody');
  for (const [k, n] of rows) {
    tb.append(el('tr', {'data-reason': k.slice(5)}, el('td', {}, k.slice(5)),
      el('td', {class: 'num' + (n > 0 ? ' nonzero' : '')}, n)));
  }
  t.append(tb);
  body.replaceChildren(t);
}

async function refresh(again) {
  try {
    const r = await fetch('/status.json', {cache: 'no-store'});
    if (!r.ok) throw new Error(r.status + ' ' + r.statusText);
    const s = await r.json();
    const now = Date.now();
    renderSummary(s);
    renderHa(s);
    renderVips(s, now);
    renderDrops(s);
  } catch (e) {
    message('refresh failed: ' + e.message, true);
  }
  if (again) setTimeout(() => refresh(true), REFRESH_MS);
}

refresh(true);
)js";

std::string json_of(const std::string& line) {
  return line.ends_with('\n') ? line.substr(0, line.size() - 1) : line;
}

}  // namespace

std::string_view status_html() { return kHtml; }
std::string_view status_css() { return kCss; }
std::string_view status_js() { return kJs; }

std::string status_json(const api::Model& model, bool admin_enabled, bool admin_allowed) {
  const std::vector<api::VipView> vips = model.vips();
  std::string out = "{\"info\":" + json_of(api::format_info(model.info(), true));
  out += ",\"vips\":" + json_of(api::format_vips(vips, true));
  out += ",\"backends\":" + json_of(api::format_backends(vips, true));
  out += ",\"stats\":" + json_of(api::format_stats(model.stats(), true));
  out += ",\"ha\":" + json_of(api::format_ha(model.ha(), true));
  out += std::string(",\"admin\":{\"enabled\":") + (admin_enabled ? "true" : "false") +
         ",\"allowed\":" + (admin_allowed ? "true" : "false") + "}}";
  return out;
}

}  // namespace sluice::metrics

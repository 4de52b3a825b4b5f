// app.js — the xsell dashboard (docs/dashboard.md). Reads the HTTP API of
// `xsell serve` (docs/api.md) with the API key kept in localStorage and
// draws Chart.js charts (window.Chart, loaded by index.html):
//   /v1/kpi        MRR, NRR/GRR, MRR movements, upsell/cross-sell/downsell,
//                  the offer funnel
//   /v1/segments   the health histogram and customers per health segment
//   /v1/targets    the target list; a click loads /v1/customers/{id} and
//                  /v1/customers/{id}/offers
//   /v1/rules, /v1/items/{id}/together   the rule explorer
//   /v1/guardrails  candidates suppressed and value held back per guardrail
//   /v1/experiments holdout experiments: arms, sample-ratio check, lift per
//                  arm and metric with its confidence interval
//   /v1/plan       the plan under capacity (xsell build --capacity): value
//                  against greedy, each constraint's use and shadow price;
//                  /v1/plan?customer= that customer's planned offers
//   /v1/replays    saved replays of other policies (IPS / SNIPS / DR)
//   /v1/key        the key's scope: with write (or admin) the customer's
//                  offers get buttons to mark them sent (GET ...?log=1),
//                  accepted, declined or ignored (POST /v1/offers/{id}/outcome),
//                  and experiments can be started and stopped (POST
//                  /v1/experiments, .../stop); with admin the audit log
//                  (/v1/audit) is shown. Read keys see no buttons.
// Every table has a CSV button: RFC 4180, a header row, UTF-8 with a BOM
// (Excel then reads Japanese correctly); the target list is exported as
// the API gives it, the other tables as shown.
// Texts, numbers and dates follow the chosen language (i18n.js: English or
// Japanese; offers and explanations are requested in it too).
// State for tests: document.body.dataset.state is "idle", "loading",
// "ready" or "error"; window.xsDashboard.charts holds the Chart instances.
import { applyStatic, fmt, initialLang, lang, name, setLang, t } from './i18n.js';

const KEY = 'xsell.apiKey';
const $ = (sel) => document.querySelector(sel);
const charts = {};
window.xsDashboard = { charts };

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// GET (or body given: POST) path with the stored key; returns the parsed
// JSON or throws ApiError with the server's message.
async function api(path, body) {
  const key = localStorage.getItem(KEY) || '';
  const init = { headers: { Authorization: `Bearer ${key}` } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let out = null;
  try {
    out = await res.json();
  } catch {
    out = null;
  }
  if (!res.ok) {
    const e = out && out.error ? out.error : { code: 'http', message: res.statusText };
    const err = new ApiError(res.status, e.code, `${path}: ${res.status} ${e.code}: ${e.message}`);
    err.serverMessage = e.message;
    throw err;
  }
  return out;
}

// The scope of the key in use ("read", "write", "admin"; GET /v1/key).
let scope = 'read';
const canWrite = () => scope === 'write' || scope === 'admin';

// Shows or hides the write-only and admin-only parts for the key's scope.
function applyScope() {
  document.body.dataset.scope = scope;
  for (const el of document.querySelectorAll('.write-only')) el.hidden = !canWrite();
  for (const el of document.querySelectorAll('.admin-only')) el.hidden = scope !== 'admin';
}

// A message line under an action: the server's message on failure.
function say(sel, text, error = false) {
  const m = $(sel);
  m.textContent = text;
  m.classList.toggle('error', error);
}

function setStatus(text, error = false) {
  const s = $('#status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

function setState(state) {
  document.body.dataset.state = state;
}

// Creates or replaces the chart on canvas #id.
function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
  charts[id] = new window.Chart(document.getElementById(id), config);
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function clear(tbody) {
  while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
}

function renderCards(rows) {
  const last = rows[rows.length - 1] || {};
  const cards = [
    [t('card_mrr'), fmt.money(last.mrr_end)],
    [t('card_arr'), fmt.money(last.arr_end)],
    [t('card_nrr'), fmt.pct(last.nrr)],
    [t('card_grr'), fmt.pct(last.grr)],
    [t('card_customers'), fmt.int(last.customers_end)],
    [t('card_logo_churn'), fmt.pct(last.logo_churn_rate)],
  ];
  const box = $('#cards');
  box.textContent = '';
  for (const [label, value] of cards) {
    const d = document.createElement('div');
    d.className = 'card';
    d.innerHTML = '<div class="label"></div><div class="value"></div>';
    d.firstChild.textContent = t('card', { label, period: last.period ?? '—' });
    d.lastChild.textContent = value;
    box.appendChild(d);
  }
}

function renderKpi(rows) {
  const labels = rows.map((r) => r.period);
  const col = (name) => rows.map((r) => r[name]);
  renderCards(rows);
  draw('chart-mrr', {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t('ds_mrr'), data: col('mrr_end'), yAxisID: 'y', borderColor: '#2f6fed', backgroundColor: '#2f6fed' },
        { label: t('ds_nrr'), data: col('nrr'), yAxisID: 'y1', borderColor: '#12a150', backgroundColor: '#12a150' },
        { label: t('ds_grr'), data: col('grr'), yAxisID: 'y1', borderColor: '#e38b06', backgroundColor: '#e38b06' },
      ],
    },
    options: {
      scales: {
        y: { position: 'left', title: { display: true, text: t('ds_mrr') } },
        y1: { type: 'linear', position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: t('axis_retention') } },
      },
    },
  });
  const neg = (name) => rows.map((r) => (r[name] == null ? null : -r[name]));
  draw('chart-movements', {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: t('ds_new'), data: col('new_mrr'), backgroundColor: '#2f6fed' },
        { label: t('ds_expansion'), data: col('expansion_mrr'), backgroundColor: '#12a150' },
        { label: t('ds_reactivation'), data: col('reactivation_mrr'), backgroundColor: '#7cc7a0' },
        { label: t('ds_contraction'), data: neg('contraction_mrr'), backgroundColor: '#e38b06' },
        { label: t('ds_churned'), data: neg('churned_mrr'), backgroundColor: '#c0362c' },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
  });
  draw('chart-motions', {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t('ds_upsold'), data: col('upsold'), borderColor: '#12a150', backgroundColor: '#12a150' },
        { label: t('ds_xs_proposed'), data: col('cross_sell_proposed'), borderColor: '#8e44ad', backgroundColor: '#8e44ad' },
        { label: t('ds_xs_accepted'), data: col('cross_sell_accepted'), borderColor: '#c39bd3', backgroundColor: '#c39bd3' },
        { label: t('ds_ds_offers'), data: col('downsell_offers'), borderColor: '#e38b06', backgroundColor: '#e38b06' },
        { label: t('ds_ds_saved'), data: col('downsell_saved'), borderColor: '#f5c26b', backgroundColor: '#f5c26b' },
      ],
    },
  });
  const sum = (name) => rows.reduce((a, r) => a + (r[name] || 0), 0);
  draw('chart-funnel', {
    type: 'bar',
    data: {
      labels: ['proposed', 'accepted', 'declined', 'ignored', 'pending'].map((k) => t(`funnel_${k}`)),
      datasets: [
        {
          label: t('ds_offers'),
          data: [sum('offers'), sum('accepted'), sum('declined'), sum('ignored'), sum('pending')],
          backgroundColor: ['#2f6fed', '#12a150', '#c0362c', '#98a2b3', '#e38b06'],
        },
      ],
    },
    options: { indexAxis: 'y', plugins: { legend: { display: false } } },
  });
}

function renderSegments(s) {
  draw('chart-health', {
    type: 'bar',
    data: {
      labels: s.health.map((b) => `${b.lo}–${b.hi}`),
      datasets: [{ label: t('ds_customers'), data: s.health.map((b) => b.customers), backgroundColor: '#2f6fed' }],
    },
    options: { plugins: { legend: { display: false } } },
  });
  const segs = s.segments.filter((x) => x.customers > 0);
  const colors = ['#2f6fed', '#98a2b3', '#c0362c', '#12a150', '#7cc7a0', '#8e44ad', '#e38b06'];
  draw('chart-segments', {
    type: 'doughnut',
    data: {
      labels: segs.map((x) => name('segment', x.segment)),
      datasets: [{ label: t('ds_customers'), data: segs.map((x) => x.customers), backgroundColor: colors }],
    },
    options: { plugins: { legend: { position: 'right' } } },
  });
}

// The guardrails that hold candidates back; "limit" (ranked below the
// per-customer offer limit) is no guardrail against pushiness and dwarfs the
// others, so it is named in the caption instead of drawn.
function renderGuardrails(g) {
  const limit = g.guards.find((x) => x.guard === 'limit');
  const shown = g.guards.filter((x) => x.guard !== 'limit');
  $('#guardrails-total').textContent = t('guard_total', {
    offered: fmt.int(g.offered), candidates: fmt.int(g.candidates), customers: fmt.int(g.customers),
    date: fmt.date(g.as_of), limit: fmt.int(limit ? limit.suppressed : 0),
  });
  draw('chart-guardrails', {
    type: 'bar',
    data: {
      labels: shown.map((x) => name('guard', x.guard)),
      datasets: [
        { label: t('ds_suppressed'), data: shown.map((x) => x.suppressed), backgroundColor: '#c0362c', xAxisID: 'x' },
        { label: t('ds_ev_held'), data: shown.map((x) => x.ev_held), backgroundColor: '#f5c26b', xAxisID: 'x1' },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: {
        // every guard labelled: Chart.js would skip labels to avoid overlap
        y: { ticks: { autoSkip: false } },
        x: { position: 'bottom', title: { display: true, text: t('axis_candidates') } },
        x1: { position: 'top', grid: { drawOnChartArea: false }, title: { display: true, text: t('axis_ev') } },
      },
    },
  });
}

const metricText = (m) => (['arr_change', 'expanded', 'retained'].includes(m) ? t(`metric_${m}`) : m);
const shortText = (m) => (['arr_change', 'expanded', 'retained'].includes(m) ? t(`short_${m}`) : m);

// A lift chart: per arm, the confidence interval (floating bar) and the
// estimate (point, drawn on top); scale multiplies the values (100: shares
// as percentage points).
function liftChart(id, rows, scale, axis) {
  const v = (x) => (x == null ? null : x * scale);
  const arms = new Set(rows.map((r) => r.group));
  draw(id, {
    type: 'bar',
    data: {
      labels: rows.map((r) => (arms.size > 1 ? `${shortText(r.metric)} (${r.group})` : shortText(r.metric))),
      datasets: [
        { type: 'bar', label: t('ds_ci'), order: 2, data: rows.map((r) => (r.lift_lo == null ? null : [v(r.lift_lo), v(r.lift_hi)])), backgroundColor: '#9ec5fe' },
        { type: 'line', label: t('ds_estimate'), order: 1, data: rows.map((r) => v(r.lift)), showLine: false, pointRadius: 6, pointStyle: 'rectRot', borderColor: '#1d2430', backgroundColor: '#1d2430' },
      ],
    },
    // the axis always shows 0: no lift
    options: { indexAxis: 'y', scales: { x: { suggestedMin: 0, suggestedMax: 0, title: { display: true, text: axis } } } },
  });
}

// One block per experiment: arms, sample-ratio line, two lift charts (ARR
// change per customer in currency; the shares expanding and retained in
// percentage points), each arm against the holdout with its confidence
// interval, and the numbers as a table.
function renderExperiments(e) {
  const box = $('#experiments');
  box.textContent = '';
  for (const id of Object.keys(charts)) if (id.startsWith('chart-exp-')) { charts[id].destroy(); delete charts[id]; }
  if (!e.experiments.length) {
    const p = document.createElement('p');
    p.textContent = t('no_experiments');
    box.appendChild(p);
    return;
  }
  e.experiments.forEach((x, i) => {
    const div = document.createElement('div');
    div.className = 'experiment';
    div.dataset.name = x.name;
    const h = document.createElement('h3');
    h.textContent = t('exp_head', {
      name: x.name, kind: name('kind', x.kind), split: x.split, start: x.start,
      until: x.until ?? x.end ?? '…', running: x.end ? '' : t('exp_running'),
    });
    div.appendChild(h);
    if (!x.end && canWrite()) {
      const stop = document.createElement('button');
      stop.type = 'button';
      stop.className = 'exp-stop';
      stop.textContent = t('exp_stop_btn');
      stop.addEventListener('click', () => stopExperiment(x.name));
      div.appendChild(stop);
    }
    box.appendChild(div);
    if (x.error) {
      const p = document.createElement('p');
      p.className = 'error';
      p.textContent = x.error;
      div.appendChild(p);
      return;
    }
    const arms = document.createElement('table');
    arms.className = 'arms';
    arms.innerHTML = '<thead><tr><th></th><th class="num"></th><th class="num"></th><th class="num"></th></tr></thead><tbody></tbody>';
    ['th_arm', 'th_customers', 'th_offers_sent', 'th_accepted'].forEach((k, j) => { arms.tHead.rows[0].cells[j].textContent = t(k); });
    for (const a of x.arms) {
      const tr = document.createElement('tr');
      cell(tr, a.arm);
      cell(tr, fmt.int(a.customers), 'num');
      cell(tr, fmt.int(a.offers), 'num');
      cell(tr, fmt.int(a.accepted), 'num');
      arms.tBodies[0].appendChild(tr);
    }
    div.appendChild(csvButton(arms, `experiment-${x.name}-arms`));
    div.appendChild(arms);
    const srm = document.createElement('p');
    srm.className = x.srm.flagged ? 'srm error' : 'srm';
    srm.textContent = t('srm', { chi2: fmt.num(x.srm.chi2, 2), p: fmt.num(x.srm.p_value, 3) }) +
      (x.srm.flagged ? t('srm_bad') : t('srm_ok'));
    div.appendChild(srm);
    const rows = x.results.filter((r) => r.method !== 'control');
    const figs = document.createElement('div');
    figs.className = 'lift-charts';
    figs.innerHTML = '<figure><figcaption></figcaption><canvas></canvas></figure><figure><figcaption></figcaption><canvas></canvas></figure>';
    const caps = figs.querySelectorAll('figcaption');
    caps[0].textContent = t('cap_exp_arr');
    caps[1].textContent = t('cap_exp_share');
    const [c1, c2] = figs.querySelectorAll('canvas');
    c1.id = `chart-exp-${i}-arr`;
    c2.id = `chart-exp-${i}-share`;
    div.appendChild(figs);
    liftChart(c1.id, rows.filter((r) => r.metric === 'arr_change'), 1, t('axis_lift_money'));
    liftChart(c2.id, rows.filter((r) => r.metric !== 'arr_change'), 100, t('axis_lift_pp'));
    const tbl = document.createElement('table');
    tbl.className = 'results';
    tbl.innerHTML = '<thead><tr><th></th><th></th><th class="num"></th><th class="num"></th><th class="num"></th><th class="num"></th><th class="num"></th></tr></thead><tbody></tbody>';
    ['th_metric', 'th_arm', 'th_holdout', 'th_arm_value', 'th_lift_value', 'th_ci', 'th_p_value'].forEach((k, j) => { tbl.tHead.rows[0].cells[j].textContent = t(k); });
    for (const r of rows) {
      const c = x.results.find((q) => q.metric === r.metric && q.method === 'control');
      const d = r.metric === 'arr_change' ? 0 : 3;
      const tr = document.createElement('tr');
      cell(tr, metricText(r.metric));
      cell(tr, r.group);
      cell(tr, fmt.num(c.mean, d), 'num');
      cell(tr, fmt.num(r.mean, d), 'num');
      cell(tr, fmt.num(r.lift, d), 'num');
      cell(tr, `[${fmt.num(r.lift_lo, d)}, ${fmt.num(r.lift_hi, d)}]`, 'num');
      cell(tr, fmt.num(r.p_value, 3), 'num');
      tbl.tBodies[0].appendChild(tr);
    }
    div.appendChild(csvButton(tbl, `experiment-${x.name}-results`));
    div.appendChild(tbl);
  });
}

// POST /v1/experiments from the form; the list is read again after it.
async function startExperiment() {
  const body = { name: $('#exp-name').value.trim(), kind: $('#exp-kind').value };
  const split = $('#exp-split').value.trim();
  if (split) body.split = split;
  if ($('#exp-start').value) body.start = $('#exp-start').value;
  if ($('#exp-end').value) body.end = $('#exp-end').value;
  try {
    const x = await api('/v1/experiments', body);
    say('#exp-message', t('exp_started', { name: x.name, start: fmt.date(x.start) }));
    $('#exp-name').value = '';
    renderExperiments(await api('/v1/experiments'));
  } catch (e) {
    say('#exp-message', e.serverMessage || e.message, true);
  }
}

// POST /v1/experiments/{name}/stop: ends it today (UTC).
async function stopExperiment(nm) {
  try {
    const x = await api(`/v1/experiments/${encodeURIComponent(nm)}/stop`, {});
    say('#exp-message', t('exp_stopped', { name: x.name, end: fmt.date(x.end) }));
    renderExperiments(await api('/v1/experiments'));
  } catch (e) {
    say('#exp-message', e.serverMessage || e.message, true);
  }
}

// "upsell work-premium-m": the kind in the current language, then the product.
// "upsell work-premium-m" as the offer kind in the UI's language and the
// product by its name (the API's top_product_name), else its id.
function topOffer(row) {
  const text = row.top_offer || '';
  const i = text.indexOf(' ');
  if (i <= 0) return text;
  return `${name('kind', text.slice(0, i))} ${row.top_product_name || text.slice(i + 1)}`;
}

// ---------------------------------------------------------------------
// CSV export
// ---------------------------------------------------------------------

// One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or
// LF, quotes doubled.
function csvField(v) {
  const s = v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// Rows (arrays) to CSV text: CRLF line ends, a BOM first so that Excel
// reads UTF-8 (Japanese names and texts) correctly.
function toCsv(rows) {
  return `\ufeff${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

// Offers the text as a file download.
function download(file, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A table as shown: the header row and every body row, the action
// columns left out.
function tableRows(table) {
  const keep = (cells) => [...cells].filter((c) => !c.classList.contains('write-only') && !c.classList.contains('actions'));
  const head = table.tHead ? keep(table.tHead.rows[0].cells).map((c) => c.textContent.trim()) : [];
  const body = [...table.tBodies[0].rows].map((r) => keep(r.cells).map((c) => c.textContent.trim()));
  return [head, ...body];
}

const today = () => new Date().toISOString().slice(0, 10);
let lastTargets = null; // the target list as the API gave it

// The CSV of one table (by id): the targets as the API gives them (every
// field, numbers unformatted), any other table as shown.
function exportCsv(id) {
  let rows;
  if (id === 'targets' && lastTargets && lastTargets.length) {
    const cols = Object.keys(lastTargets[0]);
    rows = [cols, ...lastTargets.map((r) => cols.map((c) => r[c]))];
  } else {
    rows = tableRows(document.getElementById(id));
  }
  download(`xsell-${id}-${today()}.csv`, toCsv(rows));
}

// A CSV button for a table made on the fly (experiments).
function csvButton(table, file) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'csv';
  b.textContent = t('csv');
  b.addEventListener('click', () => download(`xsell-${file}-${today()}.csv`, toCsv(tableRows(table))));
  return b;
}

function renderTargets(list) {
  lastTargets = list.targets;
  $('#targets-total').textContent = t('targets_total', { shown: fmt.int(list.targets.length), total: fmt.int(list.total) });
  const tbody = $('#targets tbody');
  clear(tbody);
  for (const row of list.targets) {
    const tr = document.createElement('tr');
    tr.dataset.customer = row.customer_id;
    cell(tr, row.rank);
    cell(tr, row.customer_id);
    cell(tr, topOffer(row));
    cell(tr, fmt.money(row.expected_value), 'num');
    cell(tr, fmt.num(row.health, 1), 'num');
    cell(tr, row.loyalty ? name('segment', row.loyalty) : '');
    tr.addEventListener('click', () => showCustomer(row.customer_id, tr));
    tbody.appendChild(tr);
  }
}

// What was done to each offer in this session, by "customer#rank":
// {offer_id, outcome} (outcome "pending" once sent).
const offerState = new Map();
const OUTCOMES = ['accepted', 'declined', 'ignored'];

// The customer's offers with their state and, for a write key, the buttons
// that mark them sent, accepted, declined or ignored.
function renderOffers(id, offers) {
  const tbody = $('#offers tbody');
  clear(tbody);
  $('#explanations').textContent = '';
  for (const off of offers) {
    const r = document.createElement('tr');
    r.dataset.rank = off.rank;
    cell(r, off.rank);
    cell(r, name('kind', off.kind));
    // the product by name in the page's language; its ids on hover
    cell(r, off.product_name || off.product).title = off.product;
    cell(r, fmt.money(off.expected_value), 'num');
    // an offer valued by its uplift shows it beside P(accept)
    const p = cell(r, fmt.num(off.probability, 3), 'num');
    if (off.value_basis === 'uplift' && off.uplift != null) {
      p.textContent += ` (Δ${off.uplift >= 0 ? '+' : ''}${fmt.num(off.uplift, 3)})`;
      p.title = t('uplift_basis', { uplift: fmt.num(off.uplift, 3) });
    }
    cell(r, name('channel', off.channel));
    if (canWrite()) {
      const st = offerState.get(`${id}#${off.rank}`);
      const s = cell(r, st ? t(`state_${st.outcome}`, { id: st.offer_id }) : t('state_new'), 'state');
      s.dataset.outcome = st ? st.outcome : 'new';
      const td = cell(r, '', 'actions');
      for (const a of ['sent', ...OUTCOMES]) {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.act = a;
        b.textContent = t(`act_${a}`);
        // sent once; an outcome once (only a pending offer takes one)
        b.disabled = a === 'sent' ? !!st : !!st && st.outcome !== 'pending';
        b.addEventListener('click', () => act(id, off.rank, a));
        td.appendChild(b);
      }
    }
    tbody.appendChild(r);
    const li = document.createElement('li');
    li.textContent = off.explanation;
    $('#explanations').appendChild(li);
  }
}

// Logs the customer's offers as sent (GET ...?log=1: the engine logs the
// decision of every offer shown, each gets its offer_id) and shows them.
async function markSent(id) {
  const o = await api(`/v1/customers/${encodeURIComponent(id)}/offers?limit=10&lang=${lang()}&log=1`);
  for (const off of o.offers) offerState.set(`${id}#${off.rank}`, { offer_id: off.offer_id, outcome: 'pending' });
  renderOffers(id, o.offers);
  return o.offers.length;
}

// A button of an offer: sent, or an outcome (an offer not sent yet is
// logged first: only a logged offer has an id to record an outcome on).
async function act(id, rank, what) {
  const panel = $('#customer');
  panel.dataset.action = 'busy';
  try {
    if (!offerState.get(`${id}#${rank}`)) {
      const n = await markSent(id);
      say('#offer-message', t('offer_sent', { n: fmt.int(n), customer: id }));
    }
    const st = offerState.get(`${id}#${rank}`);
    if (what !== 'sent') {
      if (!st) throw new Error(t('state_new'));
      const r = await api(`/v1/offers/${encodeURIComponent(st.offer_id)}/outcome`, { outcome: what });
      st.outcome = r.outcome;
      say('#offer-message', t('offer_recorded', { id: r.offer_id, outcome: t(`act_${r.outcome}`) }));
      const row = [...document.querySelectorAll('#offers tbody tr')].find((x) => Number(x.dataset.rank) === rank);
      if (row) {
        const s = row.querySelector('td.state');
        s.textContent = t(`state_${st.outcome}`, { id: st.offer_id });
        s.dataset.outcome = st.outcome;
        for (const b of row.querySelectorAll('td.actions button')) b.disabled = true;
      }
    }
    panel.dataset.action = 'done';
  } catch (e) {
    say('#offer-message', e.serverMessage || e.message, true);
    panel.dataset.action = 'error';
  }
}

// Loads one customer's scores and offers into the right-hand panel.
let shownCustomer = null; // shown again in the new language after a switch

async function showCustomer(id, tr) {
  shownCustomer = id;
  for (const r of document.querySelectorAll('#targets tbody tr.selected')) r.classList.remove('selected');
  if (tr) tr.classList.add('selected');
  const panel = $('#customer');
  panel.dataset.state = 'loading';
  $('#customer-id').textContent = id;
  if (shownCustomer !== $('#offer-message').dataset.customer) say('#offer-message', '');
  $('#offer-message').dataset.customer = id;
  clear($('#offers tbody'));
  $('#explanations').textContent = '';
  try {
    const enc = encodeURIComponent(id);
    const [c, o, planned] = await Promise.all([
      api(`/v1/customers/${enc}`),
      api(`/v1/customers/${enc}/offers?limit=10&lang=${lang()}`),
      api(`/v1/plan?customer=${enc}`).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
    ]);
    const cp = $('#customer-plan');
    cp.hidden = !planned;
    if (planned) {
      // the plan stores the product text by ids; the offers name the same text
      const named = new Map(o.offers.map((x) => [x.product, x.product_name]));
      cp.textContent = planned.assignment.length
        ? t('customer_plan', { offers: planned.assignment.map((a) => `${name('kind', a.kind)} ${named.get(a.product) || a.product} (${name('channel', a.channel)}, ${fmt.money(a.expected_value)})`).join(', ') })
        : t('customer_plan_none');
      cp.title = planned.assignment.map((a) => a.product).join(', ');
    }
    $('#customer-summary').textContent = t('customer_summary', {
      health: fmt.num(c.health, 1), segment: name('segment', c.segment), mrr: fmt.money(c.mrr),
      ltv: fmt.money(c.ltv), date: fmt.date(c.as_of),
    });
    const ups = Object.entries(c.uplift || {}).filter(([, v]) => v != null);
    if (ups.length) {
      $('#customer-summary').textContent += ` — ${t('customer_uplift', { list: ups.map(([k, v]) => `${name('kind', k)} ${v >= 0 ? '+' : ''}${fmt.num(v, 3)}`).join(', ') })}`;
    }
    renderOffers(id, o.offers);
    if (!o.offers.length) $('#customer-summary').textContent += t('no_offers');
    panel.dataset.state = 'ready';
  } catch (e) {
    $('#customer-summary').textContent = e.message;
    panel.dataset.state = 'error';
  }
}

// Rules with lift above 1 only: a lift at or below 1 means the items go
// together no more than by chance, nothing to act on.
function renderRules(r) {
  const rules = r.rules.filter((x) => x.lift > 1);
  $('#rules-total').textContent = t('rules_total', { shown: fmt.int(rules.length), total: fmt.int(r.total), baskets: fmt.int(r.baskets) });
  const tbody = $('#rules tbody');
  clear(tbody);
  for (const rule of rules) {
    const tr = document.createElement('tr');
    // by name in the page's language; the ids on hover
    cell(tr, (rule.lhs_names || rule.lhs).join(' + ')).title = rule.lhs.join(' + ');
    cell(tr, (rule.rhs_names || rule.rhs).join(' + ')).title = rule.rhs.join(' + ');
    cell(tr, fmt.num(rule.support, 3), 'num');
    cell(tr, fmt.num(rule.confidence, 2), 'num');
    cell(tr, fmt.num(rule.lift, 2), 'num');
    tbody.appendChild(tr);
  }
}

// Fills the item list of the rule explorer from the items the rules name.
function fillItems(r) {
  const names = new Map(); // id -> name
  for (const rule of r.rules) {
    rule.lhs.forEach((x, i) => names.set(x, (rule.lhs_names || rule.lhs)[i]));
    rule.rhs.forEach((x, i) => names.set(x, (rule.rhs_names || rule.rhs)[i]));
  }
  const dl = $('#items');
  dl.textContent = '';
  for (const n of [...names.keys()].sort()) {
    const o = document.createElement('option');
    o.value = n; // the id the API is asked with, labelled by its name
    o.label = names.get(n);
    dl.appendChild(o);
  }
  if (!$('#item').value && names.size) $('#item').value = [...names.keys()].sort()[0];
}

// "What goes with X": frequently bought together and the rules with X on the left.
async function explore(item) {
  const box = $('#together');
  box.dataset.state = 'loading';
  const tbody = $('#together tbody');
  clear(tbody);
  try {
    const enc = encodeURIComponent(item);
    const [tog, r] = await Promise.all([
      api(`/v1/items/${enc}/together?limit=10&lang=${lang()}`),
      api(`/v1/rules?lhs=${enc}&limit=20&lang=${lang()}`),
    ]);
    for (const x of tog.items) {
      const tr = document.createElement('tr');
      cell(tr, x.name || x.item).title = x.item;
      cell(tr, fmt.num(x.score, 3), 'num');
      cell(tr, fmt.int(x.count), 'num');
      tbody.appendChild(tr);
    }
    renderRules(r);
    box.dataset.state = 'ready';
  } catch (e) {
    const tr = document.createElement('tr');
    cell(tr, e.message).colSpan = 3;
    tbody.appendChild(tr);
    box.dataset.state = 'error';
  }
}

// The stored plan (null: none stored yet): totals and every constraint
// with its shadow price (what one more unit of it would add).
function renderPlan(plan) {
  const tbody = $('#plan-constraints tbody');
  clear(tbody);
  $('#plan').dataset.state = plan ? 'ready' : 'none';
  if (!plan) {
    $('#plan-total').textContent = '';
    $('#plan-summary').textContent = t('plan_none');
    return;
  }
  const x = plan.totals;
  $('#plan-total').textContent = t('plan_total', {
    offers: fmt.int(x.assigned), customers: fmt.int(x.reached), days: x.days, date: fmt.date(plan.as_of),
  });
  $('#plan-summary').textContent = t('plan_summary', {
    value: fmt.money(x.value), greedy: fmt.money(x.greedy_value), gain: fmt.money(x.gain),
    pct: x.gain_pct == null ? '—' : fmt.pct(x.gain_pct / 100), bound: fmt.money(x.bound), solver: x.solver,
  });
  for (const c of plan.constraints) {
    const tr = document.createElement('tr');
    cell(tr, c.constraint);
    cell(tr, c.owner ?? '');
    cell(tr, fmt.int(c.capacity), 'num');
    cell(tr, fmt.int(c.used), 'num');
    cell(tr, fmt.int(c.greedy_used), 'num');
    cell(tr, fmt.money(c.shadow_price), 'num');
    tbody.appendChild(tr);
  }
}

// Per offer kind: valued by uplift (a qualifying holdout experiment, its
// arms, the mean predicted uplift and the customers held back for a
// negative one) or by P(accept), with the reason when an experiment does
// not qualify (/v1/guardrails "uplift").
function renderUplift(g) {
  const tbody = $('#uplift-table tbody');
  clear(tbody);
  for (const u of g.uplift || []) {
    const tr = document.createElement('tr');
    cell(tr, name('kind', u.kind));
    const b = cell(tr, u.basis === 'uplift' ? t('basis_uplift') : t('basis_propensity'));
    if (u.why) b.title = u.why;
    cell(tr, u.experiment ?? (u.why || '—'));
    cell(tr, u.basis === 'uplift' ? `${fmt.int(u.treated)} / ${fmt.int(u.holdout)}` : '—', 'num');
    cell(tr, u.basis === 'uplift' ? fmt.num(u.mean_uplift, 3) : '—', 'num');
    cell(tr, u.basis === 'uplift' ? `${fmt.int(u.negative)} / ${fmt.int(u.scored)}` : '—', 'num');
    tbody.appendChild(tr);
  }
}

// Saved replays, newest first: the logged policy's value per decision and
// the doubly robust estimate of the replayed one with its interval.
function renderReplays(r) {
  const tbody = $('#replay-table tbody');
  clear(tbody);
  $('#replays-summary').textContent = r.replays.length ? '' : t('replays_none');
  for (const x of r.replays) {
    const res = x.result || {};
    const dr = res.dr || {};
    const tr = document.createElement('tr');
    cell(tr, x.ran_at);
    cell(tr, x.policy);
    cell(tr, fmt.int(res.decisions), 'num');
    cell(tr, fmt.num(res.logged, 2), 'num');
    cell(tr, fmt.num(dr.value, 2), 'num');
    cell(tr, `[${fmt.num(dr.ci_low, 2)}, ${fmt.num(dr.ci_high, 2)}]`, 'num');
    cell(tr, fmt.int(res.ess), 'num');
    tbody.appendChild(tr);
  }
}

// The audit log (admin keys), a page of AUDIT_PAGE rows from auditOffset.
const AUDIT_PAGE = 20;
let auditOffset = 0;

async function loadAudit() {
  const a = await api(`/v1/audit?limit=${AUDIT_PAGE}&offset=${auditOffset}`);
  const tbody = $('#audit-table tbody');
  clear(tbody);
  for (const x of a.entries) {
    const tr = document.createElement('tr');
    tr.dataset.auditId = x.audit_id;
    cell(tr, x.at);
    cell(tr, x.key_id ?? '');
    cell(tr, x.action);
    cell(tr, x.target ?? '');
    cell(tr, x.before == null ? '' : JSON.stringify(x.before), 'json');
    cell(tr, x.after == null ? '' : JSON.stringify(x.after), 'json');
    tbody.appendChild(tr);
  }
  $('#audit-total').textContent = t('audit_total', {
    from: fmt.int(a.entries.length ? a.offset + 1 : 0), to: fmt.int(a.offset + a.entries.length), total: fmt.int(a.total),
  });
  $('#audit-newer').disabled = a.offset === 0;
  $('#audit-older').disabled = a.offset + a.entries.length >= a.total;
  $('#audit').dataset.state = 'ready';
}

// Loads everything; on a bad key shows the error and keeps the page hidden.
async function load() {
  if (!localStorage.getItem(KEY)) {
    setState('idle');
    $('#main').hidden = true;
    return;
  }
  setState('loading');
  setStatus(t('status_loading'));
  const period = $('#period').value;
  try {
    const noPlan = (e) => (e.status === 404 ? null : Promise.reject(e));
    const [key, kpi, segs, targets, rules, guards, exps, plan, replays] = await Promise.all([
      api('/v1/key'),
      api(`/v1/kpi?period=${period}`),
      api('/v1/segments'),
      api(`/v1/targets?limit=100&lang=${lang()}`),
      api(`/v1/rules?limit=50&lang=${lang()}`),
      api('/v1/guardrails'),
      api('/v1/experiments'),
      api('/v1/plan').catch(noPlan),
      api('/v1/replays?limit=10'),
    ]);
    scope = key.scope;
    applyScope();
    $('#main').hidden = false;
    renderKpi(kpi.rows);
    renderSegments(segs);
    renderGuardrails(guards);
    renderExperiments(exps);
    renderPlan(plan);
    renderUplift(guards);
    renderReplays(replays);
    renderTargets(targets);
    renderRules(rules);
    fillItems(rules);
    if (scope === 'admin') await loadAudit();
    if ($('#item').value) await explore($('#item').value);
    if (shownCustomer) {
      const row = [...document.querySelectorAll('#targets tbody tr')].find((r) => r.dataset.customer === shownCustomer);
      await showCustomer(shownCustomer, row);
    }
    setStatus(t('status_connected', { n: fmt.int(segs.customers), date: fmt.date(segs.as_of) }));
    setState('ready');
  } catch (e) {
    if (e.status === 401 || e.status === 403) $('#main').hidden = true;
    setStatus(e.status === 401 ? t('status_refused', { message: e.message }) : e.message, true);
    setState('error');
  }
}

$('#key-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const k = $('#api-key').value.trim();
  if (!k) return;
  localStorage.setItem(KEY, k);
  $('#api-key').value = '';
  load();
});
$('#forget-key').addEventListener('click', () => {
  localStorage.removeItem(KEY);
  setStatus(t('status_forgotten'));
  load();
});
$('#period').addEventListener('change', load);
for (const b of document.querySelectorAll('button.csv[data-csv]')) b.addEventListener('click', () => exportCsv(b.dataset.csv));
$('#exp-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  startExperiment();
});
$('#audit-newer').addEventListener('click', () => {
  auditOffset = Math.max(0, auditOffset - AUDIT_PAGE);
  loadAudit().catch((e) => setStatus(e.message, true));
});
$('#audit-older').addEventListener('click', () => {
  auditOffset += AUDIT_PAGE;
  loadAudit().catch((e) => setStatus(e.message, true));
});
// the kinds of the experiment form, in the current language
const kindOptions = () => { for (const o of $('#exp-kind').options) o.textContent = name('kind', o.value); };
$('#lang').addEventListener('change', () => {
  setLang($('#lang').value);
  applyStatic();
  kindOptions();
  if (localStorage.getItem(KEY)) load();
  else setStatus(t('status_enter_key'));
});
$('#item-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = $('#item').value.trim();
  if (v) explore(v);
});

setLang(initialLang());
$('#lang').value = lang();
applyStatic();
kindOptions();
if (!window.Chart) {
  setStatus(t('status_no_chart'), true);
  setState('error');
} else {
  load();
}

// app.js — the xsell dashboard (docs/dashboard.md). Reads the HTTP API of
// `xsell serve` (docs/api.md) with the API key kept in localStorage and
// draws Chart.js charts (window.Chart, loaded by index.html):
//   /v1/kpi        MRR, NRR/GRR, MRR movements, upsell/cross-sell/downsell,
//                  the offer funnel
//   /v1/segments   the health histogram and customers per health segment
//   /v1/targets    the target list; a click loads /v1/customers/{id} and
//                  /v1/customers/{id}/offers
//   /v1/rules, /v1/items/{id}/together   the rule explorer
// State for tests: document.body.dataset.state is "idle", "loading",
// "ready" or "error"; window.xsDashboard.charts holds the Chart instances.

const KEY = 'xsell.apiKey';
const $ = (sel) => document.querySelector(sel);
const charts = {};
window.xsDashboard = { charts };

const fmt = {
  money: (v) => (v == null ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: 0 })),
  pct: (v) => (v == null ? '—' : `${(v * 100).toFixed(1)}%`),
  num: (v, d = 2) => (v == null ? '—' : Number(v).toFixed(d)),
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// GET path with the stored key; returns the parsed JSON or throws ApiError.
async function api(path) {
  const key = localStorage.getItem(KEY) || '';
  const res = await fetch(path, { headers: { Authorization: `Bearer ${key}` } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = body && body.error ? body.error : { code: 'http', message: res.statusText };
    throw new ApiError(res.status, e.code, `${path}: ${res.status} ${e.code}: ${e.message}`);
  }
  return body;
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
    ['MRR', fmt.money(last.mrr_end)],
    ['ARR', fmt.money(last.arr_end)],
    ['NRR', fmt.pct(last.nrr)],
    ['GRR', fmt.pct(last.grr)],
    ['Customers', last.customers_end ?? '—'],
    ['Logo churn', fmt.pct(last.logo_churn_rate)],
  ];
  const box = $('#cards');
  box.textContent = '';
  for (const [label, value] of cards) {
    const d = document.createElement('div');
    d.className = 'card';
    d.innerHTML = '<div class="label"></div><div class="value"></div>';
    d.firstChild.textContent = `${label} (${last.period ?? '—'})`;
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
        { label: 'MRR', data: col('mrr_end'), yAxisID: 'y', borderColor: '#2f6fed', backgroundColor: '#2f6fed' },
        { label: 'NRR', data: col('nrr'), yAxisID: 'y1', borderColor: '#12a150', backgroundColor: '#12a150' },
        { label: 'GRR', data: col('grr'), yAxisID: 'y1', borderColor: '#e38b06', backgroundColor: '#e38b06' },
      ],
    },
    options: {
      scales: {
        y: { position: 'left', title: { display: true, text: 'MRR' } },
        y1: { type: 'linear', position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'retention' } },
      },
    },
  });
  const neg = (name) => rows.map((r) => (r[name] == null ? null : -r[name]));
  draw('chart-movements', {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'new', data: col('new_mrr'), backgroundColor: '#2f6fed' },
        { label: 'expansion (upsell)', data: col('expansion_mrr'), backgroundColor: '#12a150' },
        { label: 'reactivation', data: col('reactivation_mrr'), backgroundColor: '#7cc7a0' },
        { label: 'contraction (downsell)', data: neg('contraction_mrr'), backgroundColor: '#e38b06' },
        { label: 'churned', data: neg('churned_mrr'), backgroundColor: '#c0362c' },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
  });
  draw('chart-motions', {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: 'customers upsold', data: col('upsold'), borderColor: '#12a150', backgroundColor: '#12a150' },
        { label: 'cross-sell proposed', data: col('cross_sell_proposed'), borderColor: '#8e44ad', backgroundColor: '#8e44ad' },
        { label: 'cross-sell accepted', data: col('cross_sell_accepted'), borderColor: '#c39bd3', backgroundColor: '#c39bd3' },
        { label: 'downsell offers', data: col('downsell_offers'), borderColor: '#e38b06', backgroundColor: '#e38b06' },
        { label: 'downsell saved', data: col('downsell_saved'), borderColor: '#f5c26b', backgroundColor: '#f5c26b' },
      ],
    },
  });
  const sum = (name) => rows.reduce((a, r) => a + (r[name] || 0), 0);
  draw('chart-funnel', {
    type: 'bar',
    data: {
      labels: ['proposed', 'accepted', 'declined', 'ignored', 'pending'],
      datasets: [
        {
          label: 'offers',
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
      datasets: [{ label: 'customers', data: s.health.map((b) => b.customers), backgroundColor: '#2f6fed' }],
    },
    options: { plugins: { legend: { display: false } } },
  });
  const segs = s.segments.filter((x) => x.customers > 0);
  const colors = ['#2f6fed', '#98a2b3', '#c0362c', '#12a150', '#7cc7a0', '#8e44ad', '#e38b06'];
  draw('chart-segments', {
    type: 'doughnut',
    data: {
      labels: segs.map((x) => x.segment),
      datasets: [{ label: 'customers', data: segs.map((x) => x.customers), backgroundColor: colors }],
    },
    options: { plugins: { legend: { position: 'right' } } },
  });
}

function renderTargets(t) {
  $('#targets-total').textContent = `(${t.targets.length} of ${t.total})`;
  const tbody = $('#targets tbody');
  clear(tbody);
  for (const row of t.targets) {
    const tr = document.createElement('tr');
    tr.dataset.customer = row.customer_id;
    cell(tr, row.rank);
    cell(tr, row.customer_id);
    cell(tr, row.top_offer);
    cell(tr, fmt.money(row.expected_value), 'num');
    cell(tr, fmt.num(row.health, 1), 'num');
    cell(tr, row.loyalty ?? '');
    tr.addEventListener('click', () => showCustomer(row.customer_id, tr));
    tbody.appendChild(tr);
  }
}

// Loads one customer's scores and offers into the right-hand panel.
async function showCustomer(id, tr) {
  for (const r of document.querySelectorAll('#targets tbody tr.selected')) r.classList.remove('selected');
  if (tr) tr.classList.add('selected');
  const panel = $('#customer');
  panel.dataset.state = 'loading';
  $('#customer-id').textContent = id;
  const tbody = $('#offers tbody');
  clear(tbody);
  $('#explanations').textContent = '';
  try {
    const enc = encodeURIComponent(id);
    const [c, o] = await Promise.all([api(`/v1/customers/${enc}`), api(`/v1/customers/${enc}/offers?limit=10`)]);
    $('#customer-summary').textContent =
      `health ${fmt.num(c.health, 1)} (${c.segment}), MRR ${fmt.money(c.mrr)}, LTV ${fmt.money(c.ltv)}, as of ${c.as_of}`;
    for (const off of o.offers) {
      const r = document.createElement('tr');
      cell(r, off.rank);
      cell(r, off.kind);
      cell(r, off.product);
      cell(r, fmt.money(off.expected_value), 'num');
      cell(r, fmt.num(off.probability, 3), 'num');
      cell(r, off.channel);
      tbody.appendChild(r);
      const li = document.createElement('li');
      li.textContent = off.explanation;
      $('#explanations').appendChild(li);
    }
    if (!o.offers.length) $('#customer-summary').textContent += ' — no offers';
    panel.dataset.state = 'ready';
  } catch (e) {
    $('#customer-summary').textContent = e.message;
    panel.dataset.state = 'error';
  }
}

function renderRules(r) {
  $('#rules-total').textContent = `(${r.rules.length} of ${r.total}, ${r.baskets} baskets)`;
  const tbody = $('#rules tbody');
  clear(tbody);
  for (const rule of r.rules) {
    const tr = document.createElement('tr');
    cell(tr, rule.lhs.join(' + '));
    cell(tr, rule.rhs.join(' + '));
    cell(tr, fmt.num(rule.support, 3), 'num');
    cell(tr, fmt.num(rule.confidence, 2), 'num');
    cell(tr, fmt.num(rule.lift, 2), 'num');
    tbody.appendChild(tr);
  }
}

// Fills the item list of the rule explorer from the items the rules name.
function fillItems(r) {
  const names = new Set();
  for (const rule of r.rules) for (const x of [...rule.lhs, ...rule.rhs]) names.add(x);
  const dl = $('#items');
  dl.textContent = '';
  for (const n of [...names].sort()) {
    const o = document.createElement('option');
    o.value = n;
    dl.appendChild(o);
  }
  if (!$('#item').value && names.size) $('#item').value = [...names].sort()[0];
}

// "What goes with X": frequently bought together and the rules with X on the left.
async function explore(item) {
  const box = $('#together');
  box.dataset.state = 'loading';
  const tbody = $('#together tbody');
  clear(tbody);
  try {
    const enc = encodeURIComponent(item);
    const [t, r] = await Promise.all([
      api(`/v1/items/${enc}/together?limit=10`),
      api(`/v1/rules?lhs=${enc}&limit=20`),
    ]);
    for (const x of t.items) {
      const tr = document.createElement('tr');
      cell(tr, x.item);
      cell(tr, fmt.num(x.score, 3), 'num');
      cell(tr, fmt.num(x.count, 0), 'num');
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

// Loads everything; on a bad key shows the error and keeps the page hidden.
async function load() {
  if (!localStorage.getItem(KEY)) {
    setState('idle');
    $('#main').hidden = true;
    return;
  }
  setState('loading');
  setStatus('Loading…');
  const period = $('#period').value;
  try {
    const [kpi, segs, targets, rules] = await Promise.all([
      api(`/v1/kpi?period=${period}`),
      api('/v1/segments'),
      api('/v1/targets?limit=100'),
      api('/v1/rules?limit=50'),
    ]);
    $('#main').hidden = false;
    renderKpi(kpi.rows);
    renderSegments(segs);
    renderTargets(targets);
    renderRules(rules);
    fillItems(rules);
    if ($('#item').value) await explore($('#item').value);
    setStatus(`Connected: ${segs.customers} customers scored as of ${segs.as_of}.`);
    setState('ready');
  } catch (e) {
    if (e.status === 401 || e.status === 403) $('#main').hidden = true;
    setStatus(e.status === 401 ? `API key refused: ${e.message}` : e.message, true);
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
  setStatus('Key forgotten. Enter an API key.');
  load();
});
$('#period').addEventListener('change', load);
$('#item-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = $('#item').value.trim();
  if (v) explore(v);
});

if (!window.Chart) {
  setStatus('Chart.js did not load (/assets/chart.umd.min.js)', true);
  setState('error');
} else {
  load();
}

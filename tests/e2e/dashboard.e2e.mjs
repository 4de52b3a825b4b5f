// dashboard.e2e.mjs — end-to-end test of the dashboard (docs/dashboard.md)
// in headless Chromium driven by playwright-core (from web/node_modules),
// against a running `xsell serve --web DIR` on generated data.
//
//   XS_URL=http://127.0.0.1:PORT XS_KEY=xs_... XS_OUT=DIR [XS_CUSTOMERS=FILE] \
//     node tests/e2e/dashboard.e2e.mjs
//
// Checks: the static routes (content types; "..", "%2e%2e" and hidden names
// refused), /v1/segments against a count over /v1/customers/{id} of the
// customers in XS_CUSTOMERS (`xsell customers --format json`, when given),
// the key prompt (a wrong key is refused and shown, the right one is kept in
// localStorage across a reload), every chart drawn from exactly the numbers
// the API gives (Chart.js instances, element positions, non-blank canvas
// pixels), a click on a target row showing that customer's offers, the rule
// explorer, the Japanese page, a 390 px phone in both languages, and no page
// errors. Screenshots go to XS_OUT. Prints
// "ok N - ..." per check; exits 1 on the first failure.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const webDir = new URL('../../web/', import.meta.url).pathname;
const require = createRequire(join(webDir, 'package.json'));
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch {
  console.error(`FAIL: playwright-core is not installed: run "npm ci" in ${webDir}`);
  process.exit(1);
}

const BASE = process.env.XS_URL;
const KEY = process.env.XS_KEY;
const OUT = process.env.XS_OUT || tmpdir();
const CHROMIUM = process.env.XS_CHROMIUM || '/usr/bin/chromium';
if (!BASE || !KEY) {
  console.error('usage: XS_URL=http://HOST:PORT XS_KEY=KEY [XS_OUT=DIR] node dashboard.e2e.mjs');
  process.exit(2);
}

let n = 0;
function ok(cond, what) {
  if (!cond) throw new Error(what);
  n++;
  console.log(`ok ${n} - ${what}`);
}
function eq(a, b, what) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${what}: got ${sa.slice(0, 300)}, want ${sb.slice(0, 300)}`);
  n++;
  console.log(`ok ${n} - ${what}`);
}

// A GET with the path sent exactly as given (fetch would normalise "..").
function raw(path, key) {
  return new Promise((resolve, reject) => {
    const u = new URL(BASE);
    const req = http.request(
      { host: u.hostname, port: u.port, path, method: 'GET', headers: key ? { Authorization: `Bearer ${key}` } : {} },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
const apiJson = async (path) => {
  const r = await raw(path, KEY);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body);
};

async function staticRoutes() {
  let r = await raw('/');
  eq([r.status, r.type], [200, 'text/html; charset=utf-8'], 'GET / is the page');
  ok(r.body.includes('<title>xsell dashboard</title>'), 'GET / has the title');
  r = await raw('/assets/app.js');
  eq([r.status, r.type], [200, 'text/javascript; charset=utf-8'], 'app.js is JavaScript');
  r = await raw('/assets/app.css');
  eq([r.status, r.type], [200, 'text/css; charset=utf-8'], 'app.css is CSS');
  r = await raw('/assets/chart.umd.min.js');
  ok(r.status === 200 && r.body.includes('Chart.js v4'), 'the vendored Chart.js is served');
  // path parameters are decoded after routing: an encoded '/' stays in the
  // name, which is then refused like ".."
  for (const p of ['/assets/..', '/assets/%2e%2e', '/assets/%2E%2E', '/assets/.hidden', '/assets/a%20b.js',
    '/assets/%2e%2e%2findex.html', '/assets/..%2f..%2fetc%2fpasswd']) {
    r = await raw(p);
    eq([r.status, JSON.parse(r.body).error.code], [400, 'bad_request'], `${p} is refused (400)`);
  }
  for (const p of ['/assets/../index.html', '/assets/%2e%2e/index.html',
    '/assets/nope.js', '/assets/', '/index.html', '/assets/x/app.js']) {
    r = await raw(p);
    eq([r.status, JSON.parse(r.body).error.code], [404, 'not_found'], `${p} is not found (404)`);
  }
  r = await raw('/v1/kpi');
  eq(r.status, 401, '/v1 routes still need a key');
}

// /v1/segments against a brute-force count over /v1/customers/{id} of every
// customer id listed in XS_CUSTOMERS (`xsell customers --format json`).
async function segmentsReference(segs) {
  if (!process.env.XS_CUSTOMERS) return;
  const ids = JSON.parse(readFileSync(process.env.XS_CUSTOMERS, 'utf8')).map((c) => c.customer_id);
  eq(segs.customers, ids.length, '/v1/segments counts every customer');
  const want = new Map(segs.segments.map((x) => [x.segment, { customers: 0, mrr: 0, health: 0 }]));
  const bins = new Array(10).fill(0);
  for (const id of ids) {
    const c = await apiJson(`/v1/customers/${id}`);
    const w = want.get(c.segment);
    if (!w) throw new Error(`customer ${id}: segment ${c.segment} is not in /v1/segments`);
    w.customers++;
    w.mrr += c.mrr ?? 0;
    w.health += c.health;
    bins[Math.min(9, Math.max(0, Math.floor(c.health / 10)))]++;
  }
  for (const x of segs.segments) {
    const w = want.get(x.segment);
    eq(x.customers, w.customers, `/v1/segments: ${x.segment}: customers`);
    ok(Math.abs(x.mrr - w.mrr) < 1e-6, `/v1/segments: ${x.segment}: mrr ${x.mrr} = ${w.mrr}`);
    ok(w.customers ? Math.abs(x.mean_health - w.health / w.customers) < 1e-9 : x.mean_health === null,
      `/v1/segments: ${x.segment}: mean health`);
  }
  eq(segs.health.map((b) => b.customers), bins, '/v1/segments: health histogram');
  eq(segs.health.map((b) => [b.lo, b.hi]), bins.map((_, i) => [10 * i, 10 * i + 10]), '/v1/segments: bin bounds');
}

// The page in Japanese: every static text translated (none left as its key
// or in English), the offers and explanations in Japanese exactly as the API
// gives them with lang=ja, numbers with separators, the choice kept.
async function japanese(page, wait, pick, targets) {
  await page.selectOption('#lang', 'ja');
  await wait(() => document.body.dataset.state === 'ready' && document.documentElement.lang === 'ja');
  eq(await page.evaluate(() => localStorage.getItem('xsell.lang')), 'ja', 'the language choice is kept');
  eq(await page.title(), 'xsell ダッシュボード', 'the title in Japanese');
  ok((await page.textContent('#status')).startsWith('接続しました'), 'the status in Japanese');
  const untranslated = await page.$$eval('[data-i18n]', (els) => els.filter((e) => !/[\u3040-\u30ff\u4e00-\u9fff]/.test(e.textContent) && !/^(#|MRR|ARR|GRR|NRR|p)$/.test(e.textContent.trim())).map((e) => `${e.dataset.i18n}=${e.textContent}`));
  eq(untranslated, [], 'every static text is in Japanese');
  const row = await page.locator('#targets tbody tr').nth(0);
  const id = await row.getAttribute('data-customer');
  await row.click();
  await wait(() => document.getElementById('customer').dataset.state === 'ready');
  const offers = await apiJson(`/v1/customers/${encodeURIComponent(id)}/offers?limit=10&lang=ja`);
  eq(offers.lang, 'ja', 'the API answers in Japanese');
  eq(await page.$$eval('#explanations li', (lis) => lis.map((l) => l.textContent)), offers.offers.map((o) => o.explanation), 'the explanations in Japanese, as the API gives them');
  ok(offers.offers.every((o) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(o.explanation)), 'the explanations are Japanese text');
  const kinds = await page.$$eval('#offers tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent));
  const jaKind = { upsell: 'アップセル', cross_sell: 'クロスセル', downsell: 'ダウンセル' };
  eq(kinds, offers.offers.map((o) => jaKind[o.kind]), 'offer kinds in Japanese');
  const total = await page.textContent('#targets-total');
  eq(total, `（${targets.total.toLocaleString('ja-JP')} 社中 ${Math.min(100, targets.total).toLocaleString('ja-JP')} 社）`, 'the target count in Japanese');
  await page.screenshot({ path: join(OUT, 'dashboard-ja.png'), fullPage: true });
}

// A phone, 390 px wide, in both languages: nothing wider than the screen,
// every control reachable and tappable (the element at its centre is itself,
// at least 44 px high), the charts within the width.
async function phone(page, wait) {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const l of ['ja', 'en']) {
    await page.selectOption('#lang', l);
    await wait(() => document.body.dataset.state === 'ready');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    ok(width <= 390, `${l}, 390 px: the page is ${width} px wide (no sideways scrolling)`);
    for (const sel of ['#lang', '#api-key', '#save-key', '#forget-key', '#period', '#item', '#item-form button']) {
      const box = await page.locator(sel).boundingBox();
      ok(box && box.x >= 0 && box.x + box.width <= 390 && box.height >= 44, `${l}, 390 px: ${sel} on screen and at least 44 px high`);
      await page.locator(sel).scrollIntoViewIfNeeded();
      const hit = await page.evaluate((q) => {
        const el = document.querySelector(q);
        const r = el.getBoundingClientRect();
        const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return at === el || el.contains(at);
      }, sel);
      ok(hit, `${l}, 390 px: ${sel} can be tapped`);
    }
    const charts = await page.evaluate(() => Object.keys(window.xsDashboard.charts).map((id) => document.getElementById(id).getBoundingClientRect().right));
    ok(charts.every((r) => r <= 390), `${l}, 390 px: every chart fits the width`);
    await page.screenshot({ path: join(OUT, `dashboard-390-${l}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 1800 });
}

async function main() {
  await staticRoutes();
  const [kpi, segs, targets, rules, guards, exps] = await Promise.all([
    apiJson('/v1/kpi?period=month'), apiJson('/v1/segments'), apiJson('/v1/targets?limit=100'), apiJson('/v1/rules?limit=50'),
    apiJson('/v1/guardrails'), apiJson('/v1/experiments'),
  ]);
  ok(kpi.rows.length > 6 && targets.targets.length > 10 && rules.rules.length > 0, 'the generated store has data');
  eq(exps.experiments.map((x) => x.name), ['cross_sell', 'downsell', 'upsell'], "the demo's three holdout experiments");
  ok(exps.experiments.every((x) => !x.error && x.results.length === 6), 'every experiment has a report');
  eq(guards.guards.reduce((a, g) => a + g.suppressed, guards.offered), guards.candidates, 'guardrails: offered + suppressed = candidates');
  await segmentsReference(segs);

  const profile = mkdtempSync(join(tmpdir(), 'xsell-e2e-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 1800 },
    locale: 'en-US', // the page starts in the browser's language
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const errors = [];
  try {
    const page = ctx.pages()[0] || (await ctx.newPage());
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.setDefaultTimeout(20000);
    // waits for fn() to hold in the page; an uncaught page error fails at once
    const broken = new Promise((_, reject) => page.on('pageerror', (e) => reject(new Error(`page error: ${e.message}`))));
    broken.catch(() => {});
    const wait = (fn) => Promise.race([page.waitForFunction(fn), broken]);

    await page.goto(`${BASE}/`);
    await wait(() => document.body.dataset.state === 'idle');
    ok(await page.locator('#main').isHidden(), 'without a key the dashboard is hidden');
    ok((await page.textContent('#status')).includes('Enter an API key'), 'the page asks for a key');

    // a wrong key is refused and said so
    await page.fill('#api-key', 'xs_0000000000000000_nope');
    await page.click('#save-key');
    await wait(() => document.body.dataset.state === 'error');
    ok((await page.textContent('#status')).includes('API key refused'), 'a wrong key is reported');
    ok(await page.locator('#status.error').isVisible(), 'the error is shown');
    ok(await page.locator('#main').isHidden(), 'a wrong key shows no data');
    errors.length = 0; // the 401s above are logged by the browser on purpose

    await page.fill('#api-key', KEY);
    await page.click('#save-key');
    await wait(() => document.body.dataset.state === 'ready');
    eq(await page.evaluate(() => localStorage.getItem('xsell.apiKey')), KEY, 'the key is kept in localStorage');
    ok(await page.locator('#main').isVisible(), 'the dashboard is shown');

    // charts: exactly the API's numbers
    const charts = await page.evaluate(() => {
      const out = {};
      for (const [id, c] of Object.entries(window.xsDashboard.charts)) {
        const canvas = document.getElementById(id);
        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) painted++;
        // every non-null value has an element placed inside the chart area
        const ca = c.chartArea;
        const placed = c.data.datasets.map((d, i) => {
          const els = c.getDatasetMeta(i).data;
          let inside = 0, values = 0;
          d.data.forEach((v, j) => {
            if (v == null) return;
            values++;
            const el = els[j];
            if (el && Number.isFinite(el.x) && Number.isFinite(el.y) && el.x >= ca.left - 1 && el.x <= ca.right + 1 &&
                el.y >= ca.top - 1 && el.y <= ca.bottom + 1) inside++;
          });
          return { label: d.label, inside, values };
        });
        out[id] = { type: c.config.type, labels: c.data.labels, data: c.data.datasets.map((d) => ({ label: d.label, data: d.data })), placed, painted, w: canvas.width, h: canvas.height };
      }
      return out;
    });
    const expIds = exps.experiments.flatMap((_, i) => [`chart-exp-${i}-arr`, `chart-exp-${i}-share`]);
    const ids = ['chart-mrr', 'chart-movements', 'chart-motions', 'chart-funnel', 'chart-health', 'chart-segments',
      'chart-guardrails', ...expIds];
    eq(Object.keys(charts).sort(), [...ids].sort(), 'all charts exist: seven and two per experiment');
    for (const id of ids) {
      const c = charts[id];
      ok(c.data.length > 0 && c.data.some((d) => d.data.some((v) => v != null && v !== 0)), `${id} has data points`);
      ok(c.w > 100 && c.h > 100 && c.painted > 2000, `${id} is drawn (${c.painted} painted pixels)`);
      for (const p of c.placed) ok(p.values > 0 && p.inside === p.values, `${id}: ${p.label}: all ${p.values} values placed in the chart area (${p.inside})`);
    }
    const col = (k) => kpi.rows.map((r) => r[k]);
    eq(charts['chart-mrr'].labels, col('period'), 'MRR chart: one point per KPI period');
    eq(charts['chart-mrr'].data.map((d) => d.label), ['MRR', 'NRR', 'GRR'], 'MRR chart: MRR, NRR, GRR');
    eq(charts['chart-mrr'].data[0].data, col('mrr_end'), 'MRR chart: mrr_end');
    eq(charts['chart-mrr'].data[1].data, col('nrr'), 'MRR chart: nrr');
    eq(charts['chart-movements'].data[1].data, col('expansion_mrr'), 'movements: expansion (upsell) MRR');
    eq(charts['chart-movements'].data[3].data, col('contraction_mrr').map((v) => (v == null ? null : -v)), 'movements: contraction (downsell) MRR, negative');
    eq(charts['chart-motions'].data.map((d) => d.data), [col('upsold'), col('cross_sell_proposed'), col('cross_sell_accepted'), col('downsell_offers'), col('downsell_saved')], 'upsell / cross-sell / downsell trends');
    const sum = (k) => kpi.rows.reduce((a, r) => a + (r[k] || 0), 0);
    eq(charts['chart-funnel'].data[0].data, [sum('offers'), sum('accepted'), sum('declined'), sum('ignored'), sum('pending')], 'offer funnel: proposed, accepted, declined, ignored, pending');
    ok(sum('offers') >= sum('accepted') && sum('accepted') > 0, 'offer funnel: some offers accepted');
    eq(charts['chart-health'].data[0].data, segs.health.map((b) => b.customers), 'health histogram');
    eq(segs.health.reduce((a, b) => a + b.customers, 0), segs.customers, 'health histogram counts every customer');
    eq(charts['chart-segments'].data[0].data.reduce((a, b) => a + b, 0), segs.customers, 'segment doughnut counts every customer');
    eq(segs.customers, 300, '300 customers scored');
    // guardrail suppressions: exactly /v1/guardrails
    const held = guards.guards.filter((g) => g.guard !== 'limit');
    eq(charts['chart-guardrails'].labels, held.map((g) => g.guard), 'guardrail chart: one bar per guardrail but limit');
    eq(charts['chart-guardrails'].data[0].data, held.map((g) => g.suppressed), 'guardrail chart: candidates suppressed');
    eq(charts['chart-guardrails'].data[1].data, held.map((g) => g.ev_held), 'guardrail chart: expected value held back');
    ok((await page.textContent('#guardrails-total')).includes(`${guards.guards.find((g) => g.guard === 'limit').suppressed.toLocaleString('en-US')} more ranked below the per-customer limit`), 'guardrail caption: the limit count');
    ok(guards.guards.find((g) => g.guard === 'holdout').suppressed > 0, 'the running holdouts hold candidates back');
    ok((await page.textContent('#guardrails-total')).includes(`${guards.offered.toLocaleString('en-US')} offered of ${guards.candidates.toLocaleString('en-US')} candidates`), 'guardrail totals shown');
    // experiments: one block each, arms as the API says, the relative lift
    // with its confidence interval drawn for every arm and metric
    eq(await page.$$eval('#experiments .experiment', (ds) => ds.map((d) => d.dataset.name)), exps.experiments.map((x) => x.name), 'one block per experiment');
    for (const [i, x] of exps.experiments.entries()) {
      const arms = await page.$$eval(`#experiments .experiment:nth-child(${i + 1}) table.arms tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
      const en = (v) => v.toLocaleString('en-US');
      eq(arms, x.arms.map((a) => [a.arm, en(a.customers), en(a.offers), en(a.accepted)]), `${x.name}: arms, customers, offers, accepted`);
      eq(x.arms.find((a) => a.arm === 'holdout').offers, 0, `${x.name}: the holdout got no ${x.kind} offers in the window`);
      const rows = x.results.filter((r) => r.method !== 'control');
      const arr = rows.filter((r) => r.metric === 'arr_change'), share = rows.filter((r) => r.metric !== 'arr_change');
      const ca = charts[`chart-exp-${i}-arr`], cs = charts[`chart-exp-${i}-share`];
      eq(ca.data[0].data, arr.map((r) => [r.lift_lo, r.lift_hi]), `${x.name}: ARR change: confidence intervals`);
      eq(ca.data[1].data, arr.map((r) => r.lift), `${x.name}: ARR change: lift`);
      const pp = (v) => v * 100;
      eq(cs.data[0].data, share.map((r) => [pp(r.lift_lo), pp(r.lift_hi)]), `${x.name}: expanded / retained: confidence intervals in percentage points`);
      eq(cs.data[1].data, share.map((r) => pp(r.lift)), `${x.name}: expanded / retained: lift in percentage points`);
      ok(rows.every((r) => r.lift_lo <= r.lift && r.lift <= r.lift_hi), `${x.name}: every estimate inside its interval`);
      const shown = await page.$$eval(`#experiments .experiment:nth-child(${i + 1}) table.results tbody tr`, (trs) => trs.length);
      eq(shown, rows.length, `${x.name}: a results row per arm and metric`);
    }

    // the plan under capacity: every constraint with its use and shadow
    // price as the API gives them; no replay saved yet
    const plan = await apiJson('/v1/plan');
    const en = (v) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
    eq(await page.$$eval('#plan-constraints tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent))),
      plan.constraints.map((c) => [c.constraint, c.owner ?? '', en(c.capacity), en(c.used), en(c.greedy_used), en(c.shadow_price)]),
      'plan: every constraint, its use and shadow price');
    ok(plan.constraints.every((c) => c.used <= c.capacity), 'plan: every capacity respected');
    ok((await page.textContent('#plan-summary')).includes(`Planned value ${en(plan.totals.value)} against ${en(plan.totals.greedy_value)}`), 'plan: value against greedy');
    // uplift per kind: each kind's basis, and why an experiment does not qualify
    const basis = { uplift: 'uplift × value − contact cost', propensity: 'P(accept) × value' };
    eq(await page.$$eval('#uplift-table tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent, tr.children[1].textContent, tr.children[2].textContent])),
      (guards.uplift || []).map((u) => [u.kind, basis[u.basis], u.experiment ?? (u.why || '—')]), 'uplift: every kind, its basis and evidence');
    ok((guards.uplift || []).length === 3, 'uplift: the three growth and downsell kinds are listed');
    const reps = await apiJson('/v1/replays?limit=10');
    eq(reps.replays.length, 0, 'no replay saved in the demo');
    ok((await page.textContent('#replays-summary')).startsWith('No replay saved yet'), 'replays: the empty state says how to run one');

    // cards
    const last = kpi.rows[kpi.rows.length - 1];
    ok((await page.textContent('#cards')).includes(last.mrr_end.toLocaleString('en-US', { maximumFractionDigits: 0 })), 'the MRR card shows the last period');

    // the target list and its click-through
    const rowsShown = await page.locator('#targets tbody tr').count();
    eq(rowsShown, Math.min(100, targets.total), 'the target list shows the targets');
    const pick = targets.targets[2];
    await page.locator('#targets tbody tr').nth(2).click();
    await wait(() => document.getElementById('customer').dataset.state === 'ready');
    eq(await page.textContent('#customer-id'), pick.customer_id, 'a click shows that customer');
    const offers = await apiJson(`/v1/customers/${pick.customer_id}/offers?limit=10`);
    const shown = await page.$$eval('#offers tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    eq(shown.map((r) => [Number(r[0]), r[1], r[2]]), offers.offers.map((o) => [o.rank, o.kind, o.product]), "the customer's offers, in rank order");
    ok(shown.length > 0, 'the customer has offers');
    eq(await page.$$eval('#explanations li', (lis) => lis.map((l) => l.textContent)), offers.offers.map((o) => o.explanation), 'the offer explanations');
    const planned = await apiJson(`/v1/plan?customer=${encodeURIComponent(pick.customer_id)}`);
    const planText = await page.textContent('#customer-plan');
    ok(planned.assignment.length ? planText.startsWith('In the plan: ') && planned.assignment.every((a) => planText.includes(a.product))
      : planText === 'The plan gives this customer no offer this period.', "the customer's planned offers");
    const cust = await apiJson(`/v1/customers/${pick.customer_id}`);
    ok((await page.textContent('#customer-summary')).includes(`(${cust.segment})`), "the customer's health segment");
    await page.screenshot({ path: join(OUT, 'dashboard-customer.png'), fullPage: true });

    // the rule explorer: what goes with the item
    const item = await page.inputValue('#item');
    ok(item.length > 0, 'the rule explorer has an item');
    await page.fill('#item', 'shop-mouse');
    await page.click('#item-form button');
    await wait(() => document.getElementById('together').dataset.state === 'ready');
    const tog = await apiJson('/v1/items/shop-mouse/together?limit=10');
    eq(await page.$$eval('#together tbody tr td:first-child', (tds) => tds.map((t) => t.textContent)), tog.items.map((x) => x.item), 'what goes with shop-mouse');
    const lhs = await apiJson('/v1/rules?lhs=shop-mouse&limit=20');
    eq(await page.locator('#rules tbody tr').count(), lhs.rules.filter((r) => r.lift > 1).length, 'rules with shop-mouse on the left, lift above 1');
    ok(await page.$$eval('#rules tbody tr td:last-child', (tds) => tds.every((td) => Number(td.textContent.replace(/,/g, '')) > 1)), 'no rule with lift at or below 1 is listed');
    await page.fill('#item', 'no-such-item');
    await page.click('#item-form button');
    await wait(() => document.getElementById('together').dataset.state === 'error');
    ok((await page.textContent('#together tbody')).includes('404 not_found'), 'an unknown item is reported');
    errors.length = 0; // that 404 was asked for

    // the key survives a reload; the period switch redraws
    await page.reload();
    await wait(() => document.body.dataset.state === 'ready');
    ok(true, 'a reload reconnects with the stored key');
    await page.selectOption('#period', 'quarter');
    await wait(() => document.body.dataset.state === 'ready' && window.xsDashboard.charts['chart-mrr'].data.labels[0].includes('Q'));
    const q = await apiJson('/v1/kpi?period=quarter');
    eq(await page.evaluate(() => window.xsDashboard.charts['chart-mrr'].data.labels), q.rows.map((r) => r.period), 'the quarter view');
    await page.selectOption('#period', 'month');
    await wait(() => document.body.dataset.state === 'ready' && !window.xsDashboard.charts['chart-mrr'].data.labels[0].includes('Q'));
    await page.locator('#targets tbody tr').nth(0).click();
    await wait(() => document.getElementById('customer').dataset.state === 'ready');
    await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });

    // every guardrail bar has its label drawn (no label skipped)
    const ticks = await page.evaluate(() => window.xsDashboard.charts['chart-guardrails'].scales.y.ticks.length);
    eq(ticks, held.length, 'guardrail chart: every guardrail is labelled');

    await japanese(page, wait, pick, targets);
    await phone(page, wait);

    eq(errors, [], 'no page or console errors');
    await page.selectOption('#lang', 'en');
    await wait(() => document.body.dataset.state === 'ready' && document.documentElement.lang === 'en');
    await page.click('#forget-key');
    await wait(() => document.body.dataset.state === 'idle');
    eq(await page.evaluate(() => localStorage.getItem('xsell.apiKey')), null, 'Forget removes the key');
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${n} passed, 0 failed`);
}

main().catch((e) => {
  console.error(`FAIL: ${e.message}`);
  console.log(`${n} passed, 1 failed`);
  process.exit(1);
});

// dashboard.e2e.mjs — end-to-end test of the dashboard (docs/dashboard.md)
// in headless Chromium driven by playwright-core (from web/node_modules),
// against a running `xsell serve --web DIR` on generated data.
//
//   XS_URL=http://127.0.0.1:PORT XS_KEY=xs_... XS_KEY_WRITE=xs_... \
//     XS_KEY_ADMIN=xs_... XS_OUT=DIR [XS_CUSTOMERS=FILE] node tests/e2e/dashboard.e2e.mjs
//
// Checks: the static routes (content types; "..", "%2e%2e" and hidden names
// refused), /v1/segments against a count over /v1/customers/{id} of the
// customers in XS_CUSTOMERS (`xsell customers --format json`, when given),
// the key prompt (a wrong key is refused and shown, the right one is kept in
// localStorage across a reload), every chart drawn from exactly the numbers
// the API gives (Chart.js instances, element positions, non-blank canvas
// pixels), a click on a target row showing that customer's offers, the rule
// explorer, the Japanese page, a 390 px phone in both languages, and no page
// errors; then the actions (docs/dashboard.md "Acting"), at 1440 px in
// English and at 390 px in Japanese: a read key sees no buttons; with the
// write key, offers marked sent, accepted and declined and the server's
// message shown for a refused one, experiments stopped and started (and
// refused with the server's message), each effect checked through the
// API; CSV downloads (BOM, header, every row); with the admin key the audit
// log panel showing exactly GET /v1/audit. These change the store, so they
// come last. Every answer this script and the page fetch is checked against
// docs/openapi.json (tests/e2e/openapi.mjs). Screenshots go to XS_OUT. Prints
// "ok N - ..." per check; exits 1 on the first failure.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeChecker } from './openapi.mjs';

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
const KEY_WRITE = process.env.XS_KEY_WRITE;
const KEY_ADMIN = process.env.XS_KEY_ADMIN;
const OUT = process.env.XS_OUT || tmpdir();
const CHROMIUM = process.env.XS_CHROMIUM || '/usr/bin/chromium';
if (!BASE || !KEY || !KEY_WRITE || !KEY_ADMIN) {
  console.error('usage: XS_URL=http://HOST:PORT XS_KEY=READ_KEY XS_KEY_WRITE=KEY XS_KEY_ADMIN=KEY [XS_OUT=DIR] node dashboard.e2e.mjs');
  process.exit(2);
}

// every answer fetched here or by the page, against the document
const api = makeChecker(new URL('../../docs/openapi.json', import.meta.url).pathname);
let n_checked = 0;

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

// A GET (or with a body, a POST) with the path sent exactly as given (fetch
// would normalise "..").
function raw(path, key, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(BASE);
    const headers = key ? { Authorization: `Bearer ${key}` } : {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const req = http.request(
      { host: u.hostname, port: u.port, path, method: body === undefined ? 'GET' : 'POST', headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const r = { status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks).toString() };
          try {
            api.check(body === undefined ? 'GET' : 'POST', path, r.status, r.type, r.body);
            n_checked++;
            resolve(r);
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
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
  eq(await page.$$eval('#offers tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent)), offers.offers.map((o) => o.product_name), 'the products by their names for lang=ja');
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

// ---------------------------------------------------------------------
// Acting from the dashboard (write and admin keys)
// ---------------------------------------------------------------------

const adminJson = async (path) => {
  const r = await raw(path, KEY_ADMIN);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body);
};
const utcToday = () => new Date().toISOString().slice(0, 10);

// Clicks the element and waits for the download it starts; returns the
// file's text (bytes as UTF-8, the BOM kept).
async function csvOf(page, sel) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(sel).click()]);
  return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
}

// RFC 4180 reader: rows of fields ("" quoted, CRLF rows).
function parseCsv(text) {
  const rows = [];
  let row = [], f = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++; }
    else f += c;
  }
  if (f || row.length) { row.push(f); rows.push(row); }
  return rows;
}

// Connects with key and waits for the page with that scope.
async function connect(page, wait, key, scope) {
  await page.fill('#api-key', key);
  await page.click('#save-key');
  await wait((s) => document.body.dataset.state === 'ready' && document.body.dataset.scope === s, scope);
}

// Clicks a button of an offer row and waits for the action to end.
async function offerAct(page, wait, rank, act) {
  await page.evaluate(() => { document.getElementById('customer').dataset.action = ''; });
  await page.locator(`#offers tbody tr[data-rank="${rank}"] button[data-act="${act}"]`).click();
  await wait(() => ['done', 'error'].includes(document.getElementById('customer').dataset.action));
  return page.evaluate(() => document.getElementById('customer').dataset.action);
}
const states = (page) => page.$$eval('#offers tbody td.state', (tds) => tds.map((td) => td.textContent));
const offerIdOf = (s) => s.split(' ').pop();

// Submits the experiment form / clicks a Stop button; waits for the message.
async function expAct(page, wait, fn) {
  await page.evaluate(() => { document.getElementById('exp-message').textContent = ''; });
  await fn();
  await wait(() => document.getElementById('exp-message').textContent !== '');
  return { text: await page.textContent('#exp-message'), error: await page.locator('#exp-message.error').count() === 1 };
}
async function startExp(page, wait, x) {
  return expAct(page, wait, async () => {
    await page.fill('#exp-name', x.name);
    await page.selectOption('#exp-kind', x.kind);
    await page.fill('#exp-start', x.start);
    await page.locator('#exp-submit').click();
  });
}
const stopExp = (page, wait, nm) => expAct(page, wait, () => page.locator(`#experiments .experiment[data-name="${nm}"] .exp-stop`).click());
const expList = async () => Object.fromEntries((await apiJson('/v1/experiments')).experiments.map((x) => [x.name, x.end]));

// A control on screen, at least 44 px high, and the element at its centre.
async function tappable(page, sel, width, what) {
  const loc = page.locator(sel).first();
  await loc.scrollIntoViewIfNeeded();
  const box = await loc.boundingBox();
  ok(box && box.x >= 0 && box.x + box.width <= width && box.height >= 44, `${what}: on screen and at least 44 px high`);
  const hit = await loc.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return at === el || el.contains(at);
  });
  ok(hit, `${what}: can be tapped`);
}

// Takes the console errors the browser logs for answers asked to fail
// (n of them, 4xx), and fails on anything else.
function expectHttpErrors(errors, n, what) {
  const http4xx = errors.filter((e) => /the server responded with a status of 4\d\d/.test(e));
  eq([errors.length, http4xx.length], [n, n], `${what}: only the expected refused request(s) logged`);
  errors.length = 0;
}

async function actions(page, wait, errors) {
  const today = utcToday();
  const keyId = (k) => k.slice(3, 19);
  await page.setViewportSize({ width: 1440, height: 1800 });
  await page.selectOption('#lang', 'en');
  await wait(() => document.body.dataset.state === 'ready' && document.documentElement.lang === 'en');
  // a read key: the same pages, no buttons
  eq(await page.evaluate(() => document.body.dataset.scope), 'read', 'the read key is known as such (GET /v1/key)');
  ok(await page.locator('#exp-form').isHidden(), 'read key: no experiment form');
  ok(await page.locator('#audit').isHidden(), 'read key: no audit log');
  eq(await page.locator('#offers td.actions, #experiments .exp-stop').count(), 0, 'read key: no offer or experiment buttons');
  ok(await page.locator('button.csv').first().isVisible(), 'read key: the CSV buttons are there');

  // --- 1440 px, English, write key ---------------------------------------
  await connect(page, wait, KEY_WRITE, 'write');
  ok(await page.locator('#exp-form').isVisible(), 'write key: the experiment form is shown');
  ok(await page.locator('#audit').isHidden(), 'write key: the audit log needs an admin key');
  const targets = await apiJson('/v1/targets?limit=100');
  const c1 = targets.targets[0].customer_id;
  const topCell = await page.locator('#targets tbody tr').nth(0).locator('td').nth(2).textContent();
  ok(topCell.endsWith(` ${targets.targets[0].top_product_name}`), `the top offer names its product: ${topCell}`);
  await page.locator('#targets tbody tr').nth(0).click();
  await wait((c) => document.getElementById('customer').dataset.state === 'ready' && document.getElementById('customer-id').textContent === c, c1);
  const n1 = await page.locator('#offers tbody tr').count();
  ok(n1 >= 2, `${c1} has ${n1} offers to act on`);
  eq(await states(page), new Array(n1).fill('not sent'), 'every offer starts as not sent');
  eq(await page.locator('#offers tbody tr').first().locator('td.actions button').allTextContents(), ['Sent', 'Accepted', 'Declined', 'Ignored'], 'each offer has Sent, Accepted, Declined, Ignored');
  eq(await offerAct(page, wait, 1, 'sent'), 'done', 'Sent: the offers are logged');
  const sent = await states(page);
  ok(sent.length === n1 && sent.every((s) => /^sent X\d{8}-\d+$/.test(s)), `every offer shown is sent with its id: ${sent.join(', ')}`);
  const ids1 = sent.map(offerIdOf);
  let audit = await adminJson('/v1/audit?limit=1');
  eq([audit.entries[0].action, audit.entries[0].target, audit.entries[0].key_id, audit.entries[0].after.offer_ids],
    ['offers.log', c1, keyId(KEY_WRITE), ids1], 'the API logged those offers (audit: offers.log, the write key)');
  eq(await page.locator('#offers tbody tr[data-rank="1"] button[data-act="sent"]').isDisabled(), true, 'Sent is done once');
  // accepted
  eq(await offerAct(page, wait, 1, 'accepted'), 'done', 'Accepted on offer 1');
  eq((await states(page))[0], `accepted ${ids1[0]}`, 'offer 1 shows accepted');
  eq(await page.locator('#offers tbody tr[data-rank="1"] td.actions button:not([disabled])').count(), 0, 'offer 1 takes no other outcome');
  let r = await raw(`/v1/offers/${ids1[0]}/outcome`, KEY_WRITE, { outcome: 'declined' });
  eq([r.status, JSON.parse(r.body).error.message], [409, `offer "${ids1[0]}" already has the final outcome "accepted"`], 'the API has offer 1 accepted');
  // refused: offer 2 gets its outcome behind the page's back, then Declined
  r = await raw(`/v1/offers/${ids1[1]}/outcome`, KEY_WRITE, { outcome: 'ignored' });
  eq(r.status, 200, 'offer 2 marked ignored through the API');
  eq(await offerAct(page, wait, 2, 'declined'), 'error', 'Declined on offer 2 is refused');
  eq(await page.textContent('#offer-message'), `offer "${ids1[1]}" already has the final outcome "ignored"`, "the server's message is shown");
  ok(await page.locator('#offer-message.error').isVisible(), 'as an error');
  expectHttpErrors(errors, 1, 'a refused outcome');
  audit = await adminJson('/v1/audit?limit=3');
  eq(audit.entries.map((x) => [x.action, x.target, x.before, x.after.outcome]),
    [['offer.outcome', ids1[1], { outcome: 'pending' }, 'ignored'], ['offer.outcome', ids1[0], { outcome: 'pending' }, 'accepted'], ['offers.log', c1, null, undefined]],
    'audit: the outcomes with before and after, the refusal not recorded');

  // experiments: stop the demo's upsell holdout, start one in 2027
  let m = await stopExp(page, wait, 'upsell');
  eq(m, { text: `Experiment upsell ended on ${new Date(`${today}T00:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' })}.`, error: false }, 'Stop today: upsell ended');
  eq((await expList()).upsell, today, 'the API has upsell ended today');
  m = await startExp(page, wait, { name: 'e2e-upsell', kind: 'upsell', start: '2027-01-01' });
  ok(!m.error && m.text.startsWith('Experiment e2e-upsell started on'), `Start: ${m.text}`);
  let ex = (await apiJson('/v1/experiments')).experiments.find((x) => x.name === 'e2e-upsell');
  eq([ex.kind, ex.split, ex.start, ex.end], ['upsell', 'treatment:90,holdout:10', '2027-01-01', null], 'the API lists e2e-upsell as started');
  // the message comes first, the list is read again after it (app.js startExperiment)
  ok(await page.locator('#experiments .experiment[data-name="e2e-upsell"] .exp-stop').waitFor({ state: 'visible' }).then(() => true, () => false),
    'the new experiment is shown with its Stop button');
  m = await startExp(page, wait, { name: 'e2e-upsell', kind: 'upsell', start: '2027-01-01' });
  eq(m, { text: 'name: an experiment of this name exists: "e2e-upsell"', error: true }, "a refused start shows the server's message");
  expectHttpErrors(errors, 1, 'a refused start');

  // CSV: the target list as the API gives it; a table as shown
  let csv = await csvOf(page, 'button.csv[data-csv="targets"]');
  ok(csv.text.startsWith('\ufeff'), 'targets CSV: UTF-8 with a BOM');
  ok(/^xsell-targets-\d{4}-\d{2}-\d{2}\.csv$/.test(csv.name), `targets CSV: file ${csv.name}`);
  let rows = parseCsv(csv.text.slice(1));
  const cols = Object.keys(targets.targets[0]);
  eq(rows[0], cols, 'targets CSV: the header row');
  eq(rows.slice(1), targets.targets.map((t) => cols.map((c) => (t[c] == null ? '' : String(t[c])))), 'targets CSV: every target, every field');
  ok(csv.text.includes('\r\n'), 'targets CSV: CRLF rows');
  csv = await csvOf(page, 'button.csv[data-csv="rules"]');
  rows = parseCsv(csv.text.slice(1));
  eq(rows, [await page.$$eval('#rules thead th', (th) => th.map((x) => x.textContent)),
    ...(await page.$$eval('#rules tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent))))], 'rules CSV: the table as shown');
  csv = await csvOf(page, 'button.csv[data-csv="offers"]');
  rows = parseCsv(csv.text.slice(1));
  eq(rows[0], ['#', 'kind', 'product', 'expected value', 'P(accept)', 'channel'], 'offers CSV: the columns shown, not the buttons');
  eq(rows.length, n1 + 1, 'offers CSV: every offer');
  await page.screenshot({ path: join(OUT, 'dashboard-actions.png'), fullPage: true });

  // --- 390 px, Japanese, write key ---------------------------------------
  await page.setViewportSize({ width: 390, height: 844 });
  await page.selectOption('#lang', 'ja');
  await wait(() => document.body.dataset.state === 'ready' && document.documentElement.lang === 'ja');
  const c2 = targets.targets[1].customer_id;
  await page.locator('#targets tbody tr').nth(1).click();
  await wait((c) => document.getElementById('customer').dataset.state === 'ready' && document.getElementById('customer-id').textContent === c, c2);
  eq(await page.locator('#offers tbody tr').first().locator('td.actions button').allTextContents(), ['送信済み', '成約', '辞退', '反応なし'], 'ja: the buttons in Japanese');
  await tappable(page, '#offers tbody tr[data-rank="1"] button[data-act="declined"]', 390, 'ja, 390 px: 辞退');
  // an outcome on an offer not sent yet sends it first
  eq(await offerAct(page, wait, 1, 'declined'), 'done', 'ja, 390 px: 辞退 on an offer not sent');
  const st2 = await states(page);
  ok(/^辞退 X\d{8}-\d+$/.test(st2[0]) && st2.slice(1).every((s) => s.startsWith('送信済み X')), `ja: offer 1 declined, the others sent: ${st2.join(', ')}`);
  audit = await adminJson('/v1/audit?limit=2');
  eq(audit.entries.map((x) => [x.action, x.target, x.key_id]), [['offer.outcome', offerIdOf(st2[0]), keyId(KEY_WRITE)], ['offers.log', c2, keyId(KEY_WRITE)]], 'ja: the API logged the offers, then the declined outcome');
  eq(audit.entries[0].after.outcome, 'declined', 'ja: recorded as declined');
  // experiments in Japanese: refused stop and start with the server's message
  await tappable(page, '#exp-submit', 390, 'ja, 390 px: 開始');
  m = await stopExp(page, wait, 'e2e-upsell');
  eq(m, { text: `end: before the experiment's start 2027-01-01: "${today}"`, error: true }, "ja: a refused stop shows the server's message");
  expectHttpErrors(errors, 1, 'a refused stop');
  m = await startExp(page, wait, { name: 'e2e-ja', kind: 'cross_sell', start: '2027-02-01' });
  eq(m, { text: 'kind: an experiment of kind cross_sell overlapping these days exists: "cross_sell"', error: true }, 'ja: a start overlapping a running one is refused');
  expectHttpErrors(errors, 1, 'an overlapping start');
  await tappable(page, '#experiments .experiment[data-name="cross_sell"] .exp-stop', 390, 'ja, 390 px: 今日で終了');
  m = await stopExp(page, wait, 'cross_sell');
  ok(!m.error && m.text.startsWith('実験 cross_sell を') && m.text.endsWith('に終了しました。'), `ja: ${m.text}`);
  m = await startExp(page, wait, { name: 'e2e-ja', kind: 'cross_sell', start: '2027-02-01' });
  ok(!m.error && m.text.startsWith('実験 e2e-ja を'), `ja: ${m.text}`);
  const list = await expList();
  eq([list.cross_sell, list['e2e-ja'], list['e2e-upsell'], list.upsell], [today, null, null, today], 'ja: the API lists the experiments stopped and started');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  ok(width <= 390, `ja, 390 px with the actions: the page is ${width} px wide`);
  csv = await csvOf(page, 'button.csv[data-csv="offers"]');
  rows = parseCsv(csv.text.slice(1));
  eq(rows[0], ['#', '種類', '商品', '期待価値', '受諾確率', 'チャネル'], 'ja: offers CSV header in Japanese (UTF-8 with BOM)');
  ok(csv.text.startsWith('\ufeff'), 'ja: the CSV has a BOM');
  await page.screenshot({ path: join(OUT, 'dashboard-390-ja-actions.png'), fullPage: true });

  // --- the audit log, admin key: 1440 px English, 390 px Japanese -----------
  await page.setViewportSize({ width: 1440, height: 1800 });
  await page.selectOption('#lang', 'en');
  await wait(() => document.body.dataset.state === 'ready' && document.documentElement.lang === 'en');
  await connect(page, wait, KEY_ADMIN, 'admin');
  ok(await page.locator('#audit').isVisible(), 'admin key: the audit log is shown');
  audit = await adminJson('/v1/audit?limit=20&offset=0');
  eq(audit.total, 9, 'audit: the 9 writes above (the refused ones wrote nothing)');
  const shownAudit = () => page.$$eval('#audit-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  const want = audit.entries.map((x) => [x.at, x.key_id ?? '', x.action, x.target ?? '', x.before == null ? '' : JSON.stringify(x.before), x.after == null ? '' : JSON.stringify(x.after)]);
  eq(await shownAudit(), want, 'audit panel: exactly GET /v1/audit, newest first');
  eq(audit.entries.map((x) => x.action).reverse(),
    ['offers.log', 'offer.outcome', 'offer.outcome', 'experiment.stop', 'experiment.start', 'offers.log', 'offer.outcome', 'experiment.stop', 'experiment.start'],
    'audit: every action, oldest first: sent, accepted, ignored (API), stop, start, sent, declined, stop, start');
  ok(audit.entries.every((x) => x.key_id === keyId(KEY_WRITE)), 'audit: all by the write key');
  ok(await page.locator('#audit-newer').isDisabled(), 'audit: on the newest page');
  csv = await csvOf(page, 'button.csv[data-csv="audit-table"]');
  rows = parseCsv(csv.text.slice(1));
  eq(rows, [['when (UTC)', 'key', 'action', 'target', 'before', 'after'], ...want], 'audit CSV: the rows, JSON quoted as RFC 4180 wants');
  await page.screenshot({ path: join(OUT, 'dashboard-audit.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.selectOption('#lang', 'ja');
  await wait(() => document.body.dataset.state === 'ready' && document.documentElement.lang === 'ja' && document.getElementById('audit').dataset.state === 'ready');
  eq(await page.$$eval('#audit-table thead th', (th) => th.map((x) => x.textContent)), ['日時（UTC）', 'キー', '操作', '対象', '変更前', '変更後'], 'ja: the audit log in Japanese');
  eq(await shownAudit(), want, 'ja, 390 px: the same rows');
  await tappable(page, '#audit-older', 390, 'ja, 390 px: 古い方へ');
  const w2 = await page.evaluate(() => document.documentElement.scrollWidth);
  ok(w2 <= 390, `ja, 390 px with the audit log: the page is ${w2} px wide`);
  await page.screenshot({ path: join(OUT, 'dashboard-390-ja-audit.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 1800 });
  await connect(page, wait, KEY, 'read');
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
    // the page's own API calls, checked as they come
    const pageChecks = [], schemaErrors = [];
    page.on('response', (resp) => {
      const u = new URL(resp.url());
      if (u.origin !== new URL(BASE).origin || !u.pathname.startsWith('/v1/')) return;
      const method = resp.request().method();
      pageChecks.push(resp.text().then((text) => {
        api.check(method, u.pathname + u.search, resp.status(), resp.headers()['content-type'], text);
        n_checked++;
      }).catch((e) => schemaErrors.push(e.message)));
    });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.setDefaultTimeout(20000);
    // waits for fn() to hold in the page; an uncaught page error fails at once
    const broken = new Promise((_, reject) => page.on('pageerror', (e) => reject(new Error(`page error: ${e.message}`))));
    broken.catch(() => {});
    const wait = (fn, arg) => Promise.race([page.waitForFunction(fn, arg), broken]);

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
    eq(shown.map((r) => [Number(r[0]), r[1], r[2]]), offers.offers.map((o) => [o.rank, o.kind, o.product_name]), "the customer's offers, in rank order, products by name");
    eq(await page.$$eval('#offers tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.title)), offers.offers.map((o) => o.product), 'the product ids on hover');
    ok(offers.offers.some((o) => o.product_name !== o.product) && offers.offers.every((o) => !/\b(work|shop)-[a-z0-9-]+\b/.test(o.product_name)), 'no product id shown where the catalog has a name');
    ok(shown.length > 0, 'the customer has offers');
    eq(await page.$$eval('#explanations li', (lis) => lis.map((l) => l.textContent)), offers.offers.map((o) => o.explanation), 'the offer explanations');
    const planned = await apiJson(`/v1/plan?customer=${encodeURIComponent(pick.customer_id)}`);
    const planText = await page.textContent('#customer-plan');
    const named = new Map(offers.offers.map((o) => [o.product, o.product_name]));
    ok(planned.assignment.length ? planText.startsWith('In the plan: ') && planned.assignment.every((a) => planText.includes(named.get(a.product) || a.product))
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
    const tog = await apiJson('/v1/items/shop-mouse/together?limit=10&lang=en');
    eq(await page.$$eval('#together tbody tr td:first-child', (tds) => tds.map((t) => [t.textContent, t.title])), tog.items.map((x) => [x.name, x.item]), 'what goes with shop-mouse: by name, the id on hover');
    ok(tog.items.every((x) => x.name !== x.item), 'every item of the demo catalog has a name');
    const lhs = await apiJson('/v1/rules?lhs=shop-mouse&limit=20&lang=en');
    eq(await page.locator('#rules tbody tr').count(), lhs.rules.filter((r) => r.lift > 1).length, 'rules with shop-mouse on the left, lift above 1');
    eq(await page.$$eval('#rules tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent, tr.children[1].textContent, tr.children[0].title])),
      lhs.rules.filter((r) => r.lift > 1).map((r) => [r.lhs_names.join(' + '), r.rhs_names.join(' + '), r.lhs.join(' + ')]), 'the rules by product name, the ids on hover');
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
    await actions(page, wait, errors);

    eq(errors, [], 'no page or console errors while acting');
    await Promise.all(pageChecks);
    eq(schemaErrors, [], `every answer of the page's ${pageChecks.length} API calls matches docs/openapi.json`);
    await page.selectOption('#lang', 'en');
    await wait(() => document.body.dataset.state === 'ready' && document.documentElement.lang === 'en');
    await page.click('#forget-key');
    await wait(() => document.body.dataset.state === 'idle');
    eq(await page.evaluate(() => localStorage.getItem('xsell.apiKey')), null, 'Forget removes the key');
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
  ok(n_checked > 0, `${n_checked} API answers checked against docs/openapi.json`);
  console.log(`${n} passed, 0 failed`);
}

main().catch((e) => {
  console.error(`FAIL: ${e.message}`);
  console.log(`${n} passed, 1 failed`);
  process.exit(1);
});

// api.e2e.mjs — every route of a running `xsell serve` answered and checked
// against docs/openapi.json (tests/e2e/openapi.mjs), so the document cannot
// drift from the handlers. Run by tests/cli/dashboard.t after the browser
// test, on the same demo store and server:
//
//   XS_URL=http://127.0.0.1:PORT XS_KEY=read XS_KEY_WRITE=write \
//     XS_KEY_ADMIN=admin node tests/e2e/api.e2e.mjs
//
// First the document against src/serve/routes.c, both ways (every route is a
// documented operation, every operation a route). Then GET and POST, success
// and error cases, with keys of each scope: every answer's status, content
// type and body must be documented for its operation, every request body
// sent in a success case must match the documented request schema. Fails
// when an operation of the document was never answered with a 2xx. This
// changes the store (an experiment, an outcome, events, a webhook, a build).
// Prints "ok N - ..." per check; exits 1 on the first failure.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { makeChecker } from './openapi.mjs';

const root = new URL('../../', import.meta.url).pathname;
const BASE = process.env.XS_URL;
const KEY = process.env.XS_KEY;
const KEY_WRITE = process.env.XS_KEY_WRITE;
const KEY_ADMIN = process.env.XS_KEY_ADMIN;
if (!BASE || !KEY || !KEY_WRITE || !KEY_ADMIN) {
  console.error('usage: XS_URL=http://HOST:PORT XS_KEY=READ_KEY XS_KEY_WRITE=KEY XS_KEY_ADMIN=KEY node api.e2e.mjs');
  process.exit(2);
}
const api = makeChecker(process.env.XS_OPENAPI || `${root}docs/openapi.json`);

let n = 0;
function ok(cond, what) {
  if (!cond) throw new Error(what);
  n++;
  console.log(`ok ${n} - ${what}`);
}

// One request with the path sent as given; the answer checked against the
// document and its status against `want` (a number or a list).
function call(method, path, { key, body, raw, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(BASE);
    const h = { ...headers };
    if (key) h.Authorization = `Bearer ${key}`;
    const text = raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined;
    if (text !== undefined) {
      h['Content-Type'] = 'application/json';
      h['Content-Length'] = Buffer.byteLength(text);
    }
    let answered = false;
    const req = http.request({ host: u.hostname, port: u.port, path, method, headers: h }, (res) => {
      answered = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode, type: res.headers['content-type'], headers: res.headers, text: Buffer.concat(chunks).toString() });
        if (expect100) req.destroy(); // a final answer instead of 100: the body is never sent
      });
    });
    // a server that refuses a body too large answers and closes while the
    // body is still being sent: the write fails, the answer still counts
    req.on('error', (e) => {
      if (answered) return;
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') setTimeout(() => answered || reject(e), 1000);
      else reject(e);
    });
    // Expect: 100-continue sends the body only once the server asks for it,
    // so a refusal (413) arrives before any byte of it: without it, the
    // server's close with the body unread resets the connection, and under
    // load the reset can overtake the answer
    const expect100 = h.Expect === '100-continue';
    if (expect100) {
      req.on('continue', () => req.end(text));
      req.flushHeaders();
    } else {
      req.end(text);
    }
  });
}

// XS_KEEP_GOING=1 (while editing the document): report every mismatch, not
// only the first
const failures = [];
async function expect(method, path, want, opts = {}) {
  if (process.env.XS_KEEP_GOING !== '1') return expect1(method, path, want, opts);
  try {
    return await expect1(method, path, want, opts);
  } catch (e) {
    failures.push(e.message);
    console.log(`not ok - ${e.message}`);
    return { json: {} };
  }
}
async function expect1(method, path, want, opts = {}) {
  const r = await call(method, path, opts);
  const wants = [].concat(want);
  if (!wants.includes(r.status)) throw new Error(`${method} ${path}: status ${r.status}, want ${wants.join(' or ')}: ${r.text.slice(0, 300)}`);
  if (opts.body !== undefined && r.status < 300) api.request(method, path, opts.body);
  if (r.status === 304) ok(r.text === '', `${method} ${path} -> 304 without a body`);
  const t = api.check(method, path, r.status, r.type, r.text);
  ok(true, `${method} ${path} -> ${r.status} matches ${method} ${t}`);
  return r.type && r.type.startsWith('application/json') ? { ...r, json: JSON.parse(r.text) } : r;
}

// Routes of src/serve/routes.c against the document, both ways.
function routesMatchDocument() {
  const src = readFileSync(`${root}src/serve/routes.c`, 'utf8');
  const routes = [...src.matchAll(/\{"(GET|POST|PUT|DELETE|PATCH)", "([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
  ok(routes.length >= 20, `src/serve/routes.c lists ${routes.length} routes`);
  const documented = api.ops.map((o) => `${o.method} ${o.template}`);
  for (const r of routes) ok(documented.includes(r), `route ${r} is in docs/openapi.json`);
  for (const d of documented) ok(routes.includes(d), `docs/openapi.json's ${d} is a route`);
}

const enc = encodeURIComponent;

async function main() {
  routesMatchDocument();
  const bad = 'xs_0000000000000000_' + '0'.repeat(64);

  // public routes
  await expect('GET', '/healthz', 200);
  await expect('GET', '/metrics', 200);
  await expect('GET', '/v1/openapi.json', 200);
  const page = await expect('GET', '/', [200, 404]);
  if (page.status === 200) {
    await expect('GET', '/', 304, { headers: { 'If-None-Match': page.headers.etag } });
    const js = await expect('GET', '/assets/app.js', 200);
    await expect('GET', '/assets/app.js', 304, { headers: { 'If-None-Match': js.headers.etag } });
    await expect('GET', '/assets/nope.js', 404);
    await expect('GET', '/assets/%2e%2e', 400);
  }

  // keys and scopes
  await expect('GET', '/v1/key', 200, { key: KEY });
  await expect('GET', '/v1/key', 401);
  await expect('GET', '/v1/kpi', 401, { key: bad });
  await expect('GET', '/v1/audit', 403, { key: KEY });
  await expect('POST', '/v1/build', 403, { key: KEY_WRITE });

  await expect('DELETE', '/v1/kpi', 405, { key: KEY });
  await expect('GET', '/v1/nope', 404, { key: KEY });

  // reads
  const rules = (await expect('GET', '/v1/rules?limit=5', 200, { key: KEY })).json;
  const item = rules.rules[0].rhs[0];
  await expect('GET', `/v1/rules?rhs=${enc(item)}&limit=3&lang=ja`, 200, { key: KEY });
  await expect('GET', '/v1/rules?lang=fr', 400, { key: KEY });
  await expect('GET', '/v1/rules?limit=0', 400, { key: KEY });
  await expect('GET', `/v1/items/${enc(item)}/together?limit=3&lang=ja`, 200, { key: KEY });
  await expect('GET', `/v1/items/${enc(item)}/together?lang=fr`, 400, { key: KEY });
  await expect('GET', '/v1/items/no-such-item/together', 404, { key: KEY });
  await expect('GET', `/v1/items/${enc(item)}/together?limit=x`, 400, { key: KEY });
  await expect('GET', '/v1/kpi', 200, { key: KEY });
  await expect('GET', '/v1/kpi?period=quarter&by=segment', 200, { key: KEY });
  await expect('GET', '/v1/kpi?by=kind&from=2026-01-01&to=2026-06-30', 200, { key: KEY });
  await expect('GET', '/v1/kpi?period=week', 400, { key: KEY });
  const targets = (await expect('GET', '/v1/targets?limit=20&lang=ja', 200, { key: KEY })).json;
  await expect('GET', '/v1/targets?offset=100000000', 200, { key: KEY });
  await expect('GET', '/v1/targets?lang=fr', 400, { key: KEY });
  const cid = targets.targets[0].customer_id;
  await expect('GET', `/v1/customers/${enc(cid)}`, 200, { key: KEY });
  await expect('GET', '/v1/customers/no-such-customer', 404, { key: KEY });
  await expect('GET', `/v1/customers/${enc(cid)}/offers?lang=ja`, 200, { key: KEY });
  await expect('GET', `/v1/customers/${enc(cid)}/offers?log=1`, 403, { key: KEY });
  await expect('GET', '/v1/customers/no-such-customer/offers', 404, { key: KEY });
  await expect('GET', `/v1/customers/${enc(cid)}/offers?lang=fr`, 400, { key: KEY });
  await expect('POST', '/v1/cart/recommendations', 200, { key: KEY, body: { items: [item, 'no-such-item'], customer_id: cid, limit: 5, lang: 'ja' } });
  await expect('POST', '/v1/cart/recommendations', 200, { key: KEY, body: { items: [item] } });
  await expect('POST', '/v1/cart/recommendations', 400, { key: KEY, body: { items: [] } });
  await expect('POST', '/v1/cart/recommendations', 400, { key: KEY, raw: '{"items": [' });
  await expect('POST', '/v1/cart/recommendations', 413, { key: KEY, raw: JSON.stringify({ items: ['x'.repeat(2 << 20)] }), headers: { Expect: '100-continue' } });
  await expect('GET', '/v1/segments', 200, { key: KEY });
  await expect('GET', '/v1/guardrails', 200, { key: KEY });
  await expect('GET', '/v1/experiments', 200, { key: KEY });
  await expect('GET', '/v1/plan', [200, 404], { key: KEY });
  await expect('GET', `/v1/plan?customer=${enc(cid)}`, [200, 404], { key: KEY });
  await expect('GET', '/v1/plan?customer=no-such-customer', 404, { key: KEY });

  // writes: a logged decision, its outcome, events, experiments
  const logged = (await expect('GET', `/v1/customers/${enc(cid)}/offers?log=1&limit=3`, 200, { key: KEY_WRITE })).json;
  await expect('GET', '/v1/replays?limit=5', 200, { key: KEY });
  await expect('GET', '/v1/replays?limit=0', 400, { key: KEY });
  if (logged.offers.length) {
    const oid = enc(logged.offers[0].offer_id);
    await expect('POST', `/v1/offers/${oid}/outcome`, 200, { key: KEY_WRITE, body: { outcome: 'accepted', revenue_delta: 120.5 } });
    await expect('POST', `/v1/offers/${oid}/outcome`, 409, { key: KEY_WRITE, body: { outcome: 'declined' } });
  }
  await expect('POST', '/v1/offers/no-such-offer/outcome', 404, { key: KEY_WRITE, body: { outcome: 'ignored' } });
  await expect('POST', '/v1/offers/x/outcome', 400, { key: KEY_WRITE, body: { outcome: 'maybe' } });
  await expect('POST', '/v1/offers/x/outcome', 403, { key: KEY, body: { outcome: 'accepted' } });
  await expect('POST', '/v1/events', 200, {
    key: KEY_WRITE,
    body: { events: [{ customer_id: cid, date: '2026-09-30', type: 'login', value: 1 }] },
  });
  await expect('POST', '/v1/events', 422, { key: KEY_WRITE, body: { events: [{ customer_id: cid, date: 'not-a-date', type: 'login' }] } });
  await expect('POST', '/v1/events', 400, { key: KEY_WRITE, body: { nope: [] } });
  await expect('POST', '/v1/events', 400, { key: KEY_WRITE, raw: '[]' });
  // stop a running experiment (the demo's downsell holdout runs open), then
  // start one of its kind after it (on a fresh demo store: a second run
  // finds none running)
  const today = new Date().toISOString().slice(0, 10);
  const running = (await expect('GET', '/v1/experiments', 200, { key: KEY })).json.experiments.find((x) => x.end === null && x.start <= today);
  ok(running, 'an experiment is running');
  await expect('POST', `/v1/experiments/${enc(running.name)}/stop`, 200, { key: KEY_WRITE, body: {} });
  await expect('POST', `/v1/experiments/${enc(running.name)}/stop`, 409, { key: KEY_WRITE, body: {} });
  await expect('POST', '/v1/experiments/no-such-experiment/stop', 404, { key: KEY_WRITE, body: {} });
  await expect('POST', `/v1/experiments/${enc(running.name)}/stop`, 400, { key: KEY_WRITE, body: { end: 'soon' } });
  const xname = `api-e2e-${process.pid}`;
  await expect('POST', '/v1/experiments', 201, { key: KEY_WRITE, body: { name: xname, kind: running.kind, split: 'treatment:80,holdout:20', start: '2099-01-01', end: null } });
  await expect('POST', '/v1/experiments', 409, { key: KEY_WRITE, body: { name: xname, kind: running.kind } });
  await expect('POST', '/v1/experiments', 400, { key: KEY_WRITE, body: { name: 'x', kind: 'sideways' } });
  await expect('GET', '/v1/experiments', 200, { key: KEY });

  // admin: webhooks, the audit log, a build
  const hook = (await expect('POST', '/v1/webhooks', 201, {
    key: KEY_ADMIN,
    body: { url: 'http://127.0.0.1:9/hook', events: ['offer.outcome', 'build.done'], secret: 's'.repeat(32) },
  })).json;
  await expect('POST', '/v1/webhooks', 201, { key: KEY_ADMIN, body: { url: 'http://127.0.0.1:9/other', events: 'offer.issued' } });
  await expect('POST', '/v1/webhooks', 400, { key: KEY_ADMIN, body: { url: 'ftp://x', events: ['offer.issued'] } });
  await expect('GET', '/v1/webhooks', 200, { key: KEY_ADMIN });
  await expect('GET', `/v1/webhooks/${enc(hook.webhook_id)}/deliveries?limit=5`, 200, { key: KEY_ADMIN });
  await expect('GET', `/v1/webhooks/${enc(hook.webhook_id)}/deliveries?status=nope`, 400, { key: KEY_ADMIN });
  await expect('GET', '/v1/webhooks/no-such-hook/deliveries', 404, { key: KEY_ADMIN });
  await expect('DELETE', `/v1/webhooks/${enc(hook.webhook_id)}`, 200, { key: KEY_ADMIN });
  await expect('DELETE', `/v1/webhooks/${enc(hook.webhook_id)}`, 404, { key: KEY_ADMIN });
  await expect('GET', '/v1/audit?limit=5', 200, { key: KEY_ADMIN });
  await expect('GET', '/v1/audit?limit=0', 400, { key: KEY_ADMIN });
  await expect('POST', '/v1/build', [202, 409], { key: KEY_ADMIN });
  await expect('POST', '/v1/build', [202, 409], { key: KEY_ADMIN });

  if (failures.length) throw new Error(`${failures.length} mismatches`);
  const missed = api.coverage();
  ok(missed.length === 0, `every operation of docs/openapi.json answered with a 2xx${missed.length ? ` (never: ${missed.join(', ')})` : ''}`);
  console.log(`api.e2e: ${n} checks passed`);
}

main().catch((e) => {
  console.error(`FAIL: ${e.message}`);
  process.exit(1);
});

// openapi.mjs — checks live HTTP answers against docs/openapi.json, for
// tests/e2e/api.e2e.mjs (every route) and tests/e2e/dashboard.e2e.mjs (every
// answer the dashboard test and its page fetch).
//
// The document stays OpenAPI 3.0.3: its schemas use only the subset that 3.0
// shares with JSON Schema draft-07 (type, properties, required,
// additionalProperties, items, enum, oneOf, minimum/maximum, format) plus
// `nullable`, which Ajv's default (draft-07) instance understands, and 3.0 is
// what most client generators read best. Ajv runs in strict mode, so a
// misspelt keyword in a schema is an error, not a silently ignored word;
// ajv-formats checks "date" and "date-time".
//
// makeChecker(docFile) returns { check, request, coverage, doc }:
// check(method, path, status, contentType, bodyText) finds the operation
// whose path template matches the concrete path (query ignored), the
// response documented for the status and its media type, and validates the
// body; it throws with the Ajv errors and the body when anything differs (an
// undocumented route, method, status or content type too). request(method,
// path, body) validates a request body against the operation's
// requestBody. coverage() lists the operations never answered with a
// documented 2xx.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const webDir = new URL('../../web/', import.meta.url).pathname;
const require = createRequire(join(webDir, 'package.json'));

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

// "/v1/customers/{id}" -> /^\/v1\/customers\/([^/]+)$/
function templateRegex(t) {
  const esc = t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${esc}$`);
}

// JSON pointer token escaping (RFC 6901)
const tok = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function makeChecker(docFile) {
  let Ajv, addFormats;
  try {
    Ajv = require('ajv');
    addFormats = require('ajv-formats');
  } catch {
    throw new Error(`ajv and ajv-formats are not installed: run "npm ci" in ${webDir}`);
  }
  Ajv = Ajv.default || Ajv;
  addFormats = addFormats.default || addFormats;
  const doc = JSON.parse(readFileSync(docFile, 'utf8'));
  // strictRequired off: a oneOf branch names which of the parent's properties
  // it requires without repeating them
  const ajv = new Ajv({ strict: true, allErrors: true, strictTypes: false, strictRequired: false });
  addFormats(ajv);
  // the document's own fields around the schemas, and 3.0's annotations
  ajv.addVocabulary(['openapi', 'info', 'servers', 'paths', 'components', 'security', 'tags', 'example']);
  ajv.addSchema(doc, 'openapi.json');

  const ops = []; // {method, template, re, op}
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) ops.push({ method: m.toUpperCase(), template, re: templateRegex(template), op: item[m] });
  }
  const answered = new Map(); // "GET /v1/x" -> Set(status)
  const compiled = new Map();

  function find(method, path) {
    const p = path.split('?')[0];
    const hit = ops.filter((o) => o.re.test(p));
    if (!hit.length) throw new Error(`${method} ${path}: no path of docs/openapi.json matches`);
    // the most specific template first: literal segments beat parameters
    hit.sort((a, b) => (a.template.match(/\{/g) || []).length - (b.template.match(/\{/g) || []).length);
    const o = hit.find((x) => x.method === method);
    if (!o) throw new Error(`${method} ${path}: docs/openapi.json has no ${method} for ${hit[0].template}`);
    return o;
  }

  function deref(x) {
    while (x && x.$ref) {
      const parts = x.$ref.replace(/^#\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      x = parts.reduce((a, k) => a[k], doc);
    }
    return x;
  }

  function validator(pointer) {
    if (!compiled.has(pointer)) compiled.set(pointer, ajv.getSchema(`openapi.json#${pointer}`));
    const v = compiled.get(pointer);
    if (!v) throw new Error(`docs/openapi.json: no schema at ${pointer}`);
    return v;
  }

  function fail(what, v, value) {
    const errs = v.errors.slice(0, 8).map((e) => `body${e.instancePath} ${e.message}` +
      (e.params.additionalProperty !== undefined ? `: '${e.params.additionalProperty}'` : '')).join('; ') +
      (v.errors.length > 8 ? ` (and ${v.errors.length - 8} more)` : '');
    throw new Error(`${what}: ${errs}\n  body: ${JSON.stringify(value).slice(0, 600)}`);
  }

  function check(method, path, status, contentType, bodyText) {
    const what = `${method} ${path} -> ${status}`;
    if (status === 405 && !ops.some((x) => x.method === method && x.re.test(path.split('?')[0]))) {
      // a method the path does not have: the server's error, not an operation's
      // (the same for a path that is no route, below)
      const v = validator('/components/schemas/Error');
      const value = JSON.parse(bodyText);
      if (!v(value)) fail(`${what}: the answer does not match docs/openapi.json`, v, value);
      return path;
    }
    if (status >= 400 && !ops.some((x) => x.re.test(path.split('?')[0]))) {
      // no route: the server's 404 (or 400 for a malformed path)
      const v = validator('/components/schemas/Error');
      const value = JSON.parse(bodyText);
      if (!v(value)) fail(`${what}: the answer does not match docs/openapi.json`, v, value);
      return path;
    }
    const o = find(method, path);
    // a status the operation does not list: only an error from the server in
    // front of the handler, under "default"
    let key = o.op.responses[String(status)] || status < 400 ? String(status) : 'default';
    let resp = o.op.responses[key];
    if (!resp) throw new Error(`${what}: status ${status} is not documented for ${method} ${o.template}`);
    let base = `/paths/${tok(o.template)}/${method.toLowerCase()}/responses/${key}`;
    if (resp.$ref) {
      base = resp.$ref.replace(/^#/, '');
      resp = deref(resp);
    }
    const media = (contentType || '').split(';')[0].trim();
    const content = resp.content || {};
    if (!resp.content && bodyText === '') {
      // documented without a body (304), answered without one
    } else if (!content[media]) {
      throw new Error(`${what}: content type ${contentType} is not documented (${Object.keys(content).join(', ') || 'no body'})`);
    } else if (media === 'application/json') {
      let value;
      try {
        value = JSON.parse(bodyText);
      } catch (e) {
        throw new Error(`${what}: not JSON: ${e.message}`);
      }
      const v = validator(`${base}/content/${tok(media)}/schema`);
      if (!v(value)) fail(`${what}: the answer does not match docs/openapi.json`, v, value);
    }
    const id = `${method} ${o.template}`;
    if (!answered.has(id)) answered.set(id, new Set());
    answered.get(id).add(status);
    return o.template;
  }

  function request(method, path, body) {
    const o = find(method, path);
    if (!o.op.requestBody) throw new Error(`${method} ${path}: docs/openapi.json documents no request body`);
    const v = validator(`/paths/${tok(o.template)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`);
    if (!v(body)) fail(`${method} ${path}: the request body does not match docs/openapi.json`, v, body);
  }

  function coverage() {
    const missed = [];
    for (const o of ops) {
      const got = answered.get(`${o.method} ${o.template}`) || new Set();
      if (![...got].some((s) => s >= 200 && s < 300)) missed.push(`${o.method} ${o.template}`);
    }
    return missed;
  }

  return { check, request, coverage, answered, doc, ops };
}

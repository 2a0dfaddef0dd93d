// Drives the Procore sandbox with Procore's official JavaScript SDK (@procore/js-sdk), the
// way stripe_fidelity.py drives the Stripe sandbox with the official Python library: if
// the SDK cannot sign in, list, page or surface errors against the sandbox, the sandbox
// does not speak Procore's protocol.
//
// Run: SANDBOX_BIN=$CARGO_TARGET_DIR/debug/sandbox node --test --test-reporter=tap sdk.test.js
'use strict';

const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const os = require('node:os');
const sdk = require('@procore/js-sdk');

const CLIENT_ID = 'smartapp-local';
const CLIENT_SECRET = 'smartapp-local-secret';
const REDIRECT = 'http://127.0.0.1:3000/auth/procore/callback';
const ADMIN = { login: 'admin@summitridge.example', password: 'sandbox-admin' };
const SUMMIT = 5600000001;
const HARBOR = 5600000002;

let child;
let loginBase;
let apiBase;
let client;

function sandboxBin() {
  if (process.env.SANDBOX_BIN) return process.env.SANDBOX_BIN;
  const target = process.env.CARGO_TARGET_DIR
    || path.join(os.homedir(), '.cache', 'project-central', 'target');
  return path.join(target, 'debug', 'sandbox');
}

/** Starts the sandbox binary and waits for its `procore-login:` and `procore-api:` lines. */
function startSandbox() {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, SANDBOX_PROCORE_PORT: '', SANDBOX_PROCORE_LOGIN_PORT: '', SANDBOX_STRIPE_PORT: '' };
    delete env.SANDBOX_PROCORE_RATE_LIMITS; // the documented limits, 25 per 10 s
    child = spawn(sandboxBin(), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${out}`)), 30000);
    child.on('error', reject);
    child.stderr.resume();
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const login = out.match(/^procore-login: (\S+)$/m);
      const api = out.match(/^procore-api: (\S+)$/m);
      if (login && api) {
        clearTimeout(timer);
        resolve({ login: login[1], api: api[1] });
      }
    });
  });
}

/** Signs in on the sandbox's login form, as a browser would; returns the code. */
async function signIn(user) {
  const form = new URLSearchParams({
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, state: 'js-sdk',
    login: user.login, password: user.password, action: 'sign_in',
  });
  const res = await fetch(`${loginBase}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(res.status, 302);
  const location = new URL(res.headers.get('location'));
  assert.equal(location.searchParams.get('state'), 'js-sdk');
  return location.searchParams.get('code');
}

/** Every rejected SDK call resolves here to `{ body, request, response }`. */
async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the SDK call to be rejected');
}

before(async () => {
  ({ login: loginBase, api: apiBase } = await startSandbox());
  // The SDK's token helper posts JSON to `${apiHostname}/oauth/token`: given Procore's
  // login host it works; given the API host it must not (there is no OAuth there).
  const onApi = await sdk.token(
    { id: CLIENT_ID, secret: CLIENT_SECRET, code: await signIn(ADMIN), uri: REDIRECT },
    { apiHostname: apiBase },
  );
  assert.equal(onApi.access_token, undefined, 'the API origin must not issue tokens');
  const token = await sdk.token(
    { id: CLIENT_ID, secret: CLIENT_SECRET, code: await signIn(ADMIN), uri: REDIRECT },
    { apiHostname: loginBase },
  );
  assert.equal(token.token_type, 'bearer');
  assert.equal(token.access_token.split('.').length, 3, 'a JWT');
  client = sdk.client(sdk.oauth(token.access_token), {}, { apiHostname: apiBase });
});

after(() => {
  if (child) child.kill();
});

test('me: the signed-in user', async () => {
  const { body, response } = await client.get({ base: '/me' });
  assert.equal(response.status, 200);
  assert.equal(body.login, ADMIN.login);
  assert.equal(body.name, 'Avery Admin');
  assert.ok(response.headers.get('x-rate-limit-limit'));
});

test('companies: both demo companies, ids above 2^32', async () => {
  const { body } = await client.get({ base: '/companies' });
  assert.deepEqual(body.map((c) => c.id), [SUMMIT, HARBOR]);
  assert.equal(body[0].my_company, true);
});

test("projects: the README's v1.0 company_id example", async () => {
  const { body, response } = await client.get(
    { base: '/projects', qs: { company_id: SUMMIT } },
    { companyId: SUMMIT },
  );
  assert.equal(body[0].name, 'Riverside Medical Office Building');
  assert.equal(response.headers.get('Total'), '2375');
  assert.equal(body.length, 100, 'default page size');
});

test('paging: follow rel="next" to the end with v1.1', async () => {
  const seen = new Set();
  let next = { base: '/projects', version: 'v1.1', qs: { company_id: HARBOR, per_page: 10, filters: { by_status: 'All' } } };
  let pages = 0;
  while (next) {
    const { body, response } = await client.get(next, { companyId: HARBOR });
    pages += 1;
    body.forEach((p) => seen.add(p.id));
    const link = response.headers.get('Link') || '';
    const rel = link.split(',').find((part) => part.includes('rel="next"'));
    // The SDK prefixes string endpoints with apiHostname: pass the path and query.
    next = rel ? rel.trim().slice(1, rel.trim().indexOf('>')).replace(apiBase, '') : null;
  }
  assert.equal(pages, 4);
  assert.equal(seen.size, 36);
});

test('company projects: /companies/{company_id}/projects', async () => {
  const { body, response } = await client.get(
    { base: '/companies/{company_id}/projects', params: { company_id: HARBOR } },
    { companyId: HARBOR },
  );
  assert.equal(response.headers.get('Total'), '36');
  assert.ok(body[0].address && body[0].status_name);
});

test('404: the SDK rejects with the response and the JSON error body', async () => {
  const err = await rejection(client.get(
    { base: '/projects', params: { id: 1 }, qs: { company_id: SUMMIT } },
    { companyId: SUMMIT },
  ));
  assert.equal(err.response.status, 404);
  assert.equal(typeof err.body.errors, 'string');
});

test('429: a burst past 25 per 10 s is rejected with Retry-After', async () => {
  // The 429 body is Procore's plain text, so read it with the SDK's formatter option.
  const formatter = (response) => response.text();
  let err;
  for (let i = 0; i < 40 && !err; i += 1) {
    try {
      await client.get({ base: '/me' }, { formatter });
    } catch (e) {
      err = e;
    }
  }
  assert.ok(err, 'no 429 within 40 calls');
  assert.equal(err.response.status, 429);
  const retry = Number(err.response.headers.get('Retry-After'));
  assert.ok(retry >= 1 && retry <= 10, `Retry-After ${retry}`);
  assert.equal(err.response.headers.get('X-Rate-Limit-Limit'), '25');
  assert.equal(err.response.headers.get('X-Rate-Limit-Remaining'), '0');
  assert.match(err.body, /surpassed the max number of requests/);
});

// --- Project directory (procore-api.md §5): locations, vendors, users, roles ---------------

const P1 = 562000000001;

/** Follows rel="next" from `first` to the end; returns every item and the number of pages. */
async function pageAll(first, companyId) {
  const items = [];
  let next = first;
  let pages = 0;
  let total;
  while (next) {
    const { body, response } = await client.get(next, { companyId });
    pages += 1;
    total = Number(response.headers.get('Total'));
    assert.ok(Array.isArray(body), 'v1.x lists are bare arrays');
    items.push(...body);
    const link = response.headers.get('Link') || '';
    const rel = link.split(',').find((part) => part.includes('rel="next"'));
    next = rel ? rel.trim().slice(1, rel.trim().indexOf('>')).replace(apiBase, '') : null;
  }
  assert.equal(items.length, total, 'pages add up to Total');
  assert.equal(new Set(items.map((i) => i.id)).size, items.length, 'no id twice');
  return { items, pages };
}

/** POSTs to a `/__sandbox/` switch on the API origin. */
async function sandboxSwitch(pathAndQuery, body) {
  const res = await fetch(`${apiBase}/__sandbox/${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

describe('project directory through the SDK', () => {
  before(async () => {
    // Dozens of pages: lift the documented 25-per-10-s limit (the 429 test above ran already).
    await sandboxSwitch('rate-limits?hourly=100000&spike=100000');
  });

  test('locations: page the tree; find_or_create_by_path 201 then 200; 404 on an unknown id', async () => {
    const { items, pages } = await pageAll(
      { base: '/projects/{project_id}/locations', params: { project_id: P1 }, qs: { per_page: 3 } },
      SUMMIT,
    );
    assert.ok(pages >= 2);
    assert.ok(items.some((l) => l.name.includes('>') && l.parent_id));
    const path = { location: { path: ['JS Tower', 'Level 1', 'Lobby'] } };
    const endpoint = { base: '/projects/{project_id}/locations/find_or_create_by_path', params: { project_id: P1 } };
    const made = await client.post(endpoint, path, { companyId: SUMMIT });
    assert.equal(made.response.status, 201);
    assert.equal(made.body.name, 'JS Tower>Level 1>Lobby');
    const found = await client.post(endpoint, path, { companyId: SUMMIT });
    assert.equal(found.response.status, 200);
    assert.equal(found.body.id, made.body.id);
    const err = await rejection(client.get(
      { base: '/projects/{project_id}/locations', params: { project_id: P1, id: 1 } },
      { companyId: SUMMIT },
    ));
    assert.equal(err.response.status, 404);
    assert.equal(typeof err.body.errors, 'string');
  });

  test('users: page project and company users; 422 on a taken email', async () => {
    await sandboxSwitch(`procore/projects/${P1}/bulk-users?count=250`);
    const { items, pages } = await pageAll(
      { base: '/projects/{project_id}/users', params: { project_id: P1 }, qs: { per_page: 100 } },
      SUMMIT,
    );
    assert.ok(items.length >= 250 && pages >= 3);
    assert.ok(items.some((u) => u.email_address === ADMIN.login));
    const company = await pageAll(
      { base: '/companies/{company_id}/users', version: 'v1.3', params: { company_id: SUMMIT }, qs: { per_page: 200 } },
      SUMMIT,
    );
    assert.ok(company.items.length >= items.length);
    const endpoint = { base: '/projects/{project_id}/users', params: { project_id: P1 } };
    const user = { user: { email_address: 'js.sdk@example.com', last_name: 'Sdk', first_name: 'Js' } };
    const made = await client.post(endpoint, user, { companyId: SUMMIT });
    assert.equal(made.response.status, 201);
    const err = await rejection(client.post(endpoint, user, { companyId: SUMMIT }));
    assert.equal(err.response.status, 422);
    assert.deepEqual(err.body, { errors: { email_address: ['has already been taken'] } });
    // The lookup a client does instead: search by email, then actions/add.
    const { body } = await client.get(
      { base: '/projects/{project_id}/users', params: { project_id: P1 }, qs: { filters: { search: 'js.sdk@example.com' } } },
      { companyId: SUMMIT },
    );
    assert.deepEqual(body.map((u) => u.id), [made.body.id]);
  });

  test('vendors: page project and company vendors (filters[updated_at])', async () => {
    const project = await pageAll(
      { base: '/projects/{project_id}/vendors', version: 'v1.1', params: { project_id: P1 }, qs: { per_page: 2 } },
      SUMMIT,
    );
    assert.ok(project.items.length >= 3 && project.items.every((v) => v.project_ids.includes(P1)));
    const company = await pageAll(
      { base: '/vendors', qs: { company_id: SUMMIT, per_page: 3, filters: { updated_at: '2000-01-01...2100-01-01' } } },
      SUMMIT,
    );
    assert.ok(company.items.length >= project.items.length);
  });

  test('roles: the catalogue and project role assignments', async () => {
    const { body } = await client.get(
      { base: '/companies/{company_id}/roles', params: { company_id: SUMMIT } },
      { companyId: SUMMIT },
    );
    assert.ok(body.map((r) => r.name).includes('Project Manager'));
    const { items } = await pageAll({ base: '/project_roles', qs: { project_id: P1, per_page: 2 } }, SUMMIT);
    assert.ok(items.length >= 3 && items.every((a) => a.role && a.user_id));
  });

  test('faults: an injected 429 reaches the SDK with Retry-After', async () => {
    await sandboxSwitch('faults', { rate: 1, kinds: ['429'], seed: 7 });
    try {
      const err = await rejection(client.get(
        { base: '/projects/{project_id}/locations', params: { project_id: P1 } },
        { companyId: SUMMIT, formatter: (response) => response.text() },
      ));
      assert.equal(err.response.status, 429);
      assert.equal(err.response.headers.get('Retry-After'), '1');
      assert.ok(err.response.headers.get('X-Rate-Limit-Limit'));
      assert.match(err.body, /surpassed the max number of requests/);
    } finally {
      await sandboxSwitch('faults', { rate: 0 });
    }
    const stats = await (await fetch(`${apiBase}/__sandbox/stats`)).json();
    assert.equal(stats.faults_429, 1);
  });
});

// --- Marketplace installs (procore-api.md §9): app_installations and the uninstall 403 ------

describe('app installations through the SDK', () => {
  const SAFETY = { id: 'smartapp-safety-local', secret: 'smartapp-safety-local-secret' };

  test('app_installations lists both apps; an uninstalled app meets 403, the other does not', async () => {
    const list = async () => (await client.get(
      { base: '/app_installations', qs: { company_id: HARBOR } },
      { companyId: HARBOR },
    )).body;
    const before = await list();
    assert.deepEqual(before.map((i) => [i.app_uid, i.status]), [[CLIENT_ID, 'installed'], [SAFETY.id, 'installed']]);
    assert.equal(before[1].developer_app.name, 'Smartapp Safety');

    // A Safety token for the same admin, through the SDK's token helper.
    const form = new URLSearchParams({
      response_type: 'code', client_id: SAFETY.id, redirect_uri: REDIRECT,
      login: ADMIN.login, password: ADMIN.password, action: 'sign_in',
    });
    const res = await fetch(`${loginBase}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    const code = new URL(res.headers.get('location')).searchParams.get('code');
    const token = await sdk.token({ id: SAFETY.id, secret: SAFETY.secret, code, uri: REDIRECT }, { apiHostname: loginBase });
    const safety = sdk.client(sdk.oauth(token.access_token), {}, { apiHostname: apiBase });
    const projects = { base: '/companies/{company_id}/projects', params: { company_id: HARBOR } };

    await sandboxSwitch(`apps/safety/uninstall?company_id=${HARBOR}`);
    try {
      const err = await rejection(safety.get(projects, { companyId: HARBOR }));
      assert.equal(err.response.status, 403);
      assert.deepEqual(err.body, { errors: 'App is not connected to this company' });
      const other = await client.get(projects, { companyId: HARBOR });
      assert.equal(other.response.status, 200, 'Planner still works');
      const after = await list();
      assert.equal(after[1].status, 'uninstalled');
      assert.ok(after[1].uninstalled_at);
    } finally {
      await sandboxSwitch(`apps/safety/install?company_id=${HARBOR}`);
    }
    const back = await safety.get(projects, { companyId: HARBOR });
    assert.equal(back.response.status, 200, 'reinstalling restores it');
  });
});

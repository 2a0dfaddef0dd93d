// Drives the Procore sandbox with Procore's official JavaScript SDK (@procore/js-sdk), the
// way stripe_fidelity.py drives the Stripe sandbox with the official Python library: if
// the SDK cannot sign in, list, page or surface errors against the sandbox, the sandbox
// does not speak Procore's protocol.
//
// Run: SANDBOX_BIN=$CARGO_TARGET_DIR/debug/sandbox node --test --test-reporter=tap sdk.test.js
'use strict';

const { test, before, after } = require('node:test');
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

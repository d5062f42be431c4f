// End-to-end test of the web app against a running `switchboard serve` (started by run.sh).
//
//   node e2e.mjs --base http://127.0.0.1:PORT --admin-password PW [--artifacts DIR] [--chromium PATH]
//
// Sets up a skill, routing profile, queue, agent, disposition and two users over the API as
// admin, then drives Chromium: the agent goes available, takes an offered contact, ends it and
// wraps it up while a supervisor's wallboard shows the counts change; then every admin page; a
// supervisor generates, edits and publishes a schedule that the agent then finds on My schedule,
// and creates, sees fire (alert history and wallboard), edits and deletes an alert rule.
// Screenshots go to the artifacts directory. Prints "N passed, M failed, K skipped" last.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { alertRulesScenario } from './scenarios/alert_rules.mjs';
import { scheduleDragScenario } from './scenarios/schedule_drag.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const BASE = arg('base', process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:8080');
const ADMIN_PASSWORD = arg('admin-password', process.env.SWITCHBOARD_ADMIN_PASSWORD ?? '');
const ARTIFACTS = arg('artifacts', new URL('./artifacts', import.meta.url).pathname);
const CHROMIUM = arg('chromium', process.env.CHROMIUM ?? '/usr/bin/chromium');
const SERVER_PID = Number(arg('server-pid', '0'));
const STEP_TIMEOUT_MS = 20_000;
const WAIT_MS = 10_000;

mkdirSync(ARTIFACTS, { recursive: true });

// ---------------------------------------------------------------- tiny step runner

let passed = 0;
let failed = 0;
let skipped = 0;
let blocked = null; // name of the failed step that later dependent steps need

let serverDeathCounted = false;
function serverAlive() {
  if (!SERVER_PID) return true;
  try {
    process.kill(SERVER_PID, 0);
    return true;
  } catch {
    return false;
  }
}

async function step(name, fn, { needs = true } = {}) {
  if (!serverAlive()) {
    if (!serverDeathCounted) {
      serverDeathCounted = true;
      failed++;
      console.log(`FAIL the server keeps running (pid ${SERVER_PID} exited; see server.log)`);
    }
    skipped++;
    console.log(`SKIP ${name} (the server is no longer running)`);
    return;
  }
  if (needs && blocked) {
    skipped++;
    console.log(`SKIP ${name} (needs: ${blocked})`);
    return;
  }
  const t0 = Date.now();
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`step timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
      }),
    ]);
    passed++;
    console.log(`PASS ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    if (!serverAlive()) console.log(`     the server (pid ${SERVER_PID}) died during this step; see server.log`);
    console.log(`FAIL ${name} (${Date.now() - t0} ms)\n     ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n     ')}`);
    if (needs) blocked = name;
  } finally {
    clearTimeout(timer);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

// ---------------------------------------------------------------- API client (admin session)

class Api {
  constructor(base) {
    this.base = base;
    this.cookie = '';
    this.csrf = '';
  }
  async call(method, path, body, { expect } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.cookie) headers.Cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    const ok = expect ? (Array.isArray(expect) ? expect.includes(res.status) : res.status === expect) : res.ok;
    if (!ok) throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 400)}`);
    return { status: res.status, json, headers: res.headers };
  }
  async login(username, password) {
    const r = await this.call('POST', '/api/v1/auth/login', { username, password });
    const cookies = r.headers.getSetCookie?.() ?? [];
    const session = cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('sb_session='));
    assert(session, `login sets the sb_session cookie (got ${JSON.stringify(cookies)})`);
    this.cookie = session;
    this.csrf = r.json?.csrf_token;
    assert(this.csrf, 'login answers a csrf_token');
    return r.json;
  }
  get(path) {
    return this.call('GET', path).then((r) => r.json);
  }
  post(path, body, opts) {
    return this.call('POST', path, body ?? {}, opts).then((r) => r.json);
  }
}

// ---------------------------------------------------------------- test data

const run = Date.now().toString(36);
const AGENT_USER = { username: `alice-${run}`, password: 'alice-password-1', display_name: 'Alice Agent' };
const AGENT_NAME = 'Alice Agent'; // the configured agent the agent user acts as
const LOCKED_USER = { username: `lee-${run}`, password: 'lee-password-123', display_name: 'Lee Locked' };
const ANALYST_USER = { username: `ana-${run}`, password: 'ana-password-123', display_name: 'Ana Analyst' };
const SUPERVISOR_USER = { username: `sam-${run}`, password: 'sam-password-12', display_name: 'Sam Supervisor' };
const ids = {};
const admin = new Api(BASE);

const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let browser;
let agentPage;
let supPage;
let adminPage;

async function newPage(label) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  ctx.setDefaultTimeout(WAIT_MS);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log(`     [${label} page error] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) console.log(`     [${label} console] ${m.text()}`);
  });
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

async function loginUi(page, username, password) {
  await page.goto(`${BASE}/#/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor({ timeout: WAIT_MS });
}

/** Waits until the text of a test id satisfies `pred`, returning it. */
async function waitText(locator, pred, what) {
  const deadline = Date.now() + WAIT_MS;
  let last = '';
  while (Date.now() < deadline) {
    last = ((await locator.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what}: last text was ${JSON.stringify(last)}`);
}

function queueRow(page) {
  return page.locator(`[data-testid="wb-queue-row"][data-queue-id="${ids.queue}"]`);
}

// ---------------------------------------------------------------- the scenario

async function main() {
  console.log(`e2e against ${BASE}, artifacts in ${ARTIFACTS}`);

  await step('admin logs in over the API', async () => {
    const s = await admin.login('admin', ADMIN_PASSWORD);
    assert(s.user?.role === 'admin', `admin role (got ${JSON.stringify(s.user)})`);
  });

  await step('admin creates a skill, a routing profile, a queue, an agent and a disposition', async () => {
    ids.skill = (await admin.post('/api/v1/skills', { name: `Billing ${run}` }, { expect: 201 })).id;
    ids.profile = (await admin.post('/api/v1/profiles', { name: `Voice and chat ${run}`, capacity: { voice: 1, chat: 2 }, max_total: 2, exclusive: ['voice'] }, { expect: 201 })).id;
    ids.queue = (
      await admin.post(
        '/api/v1/queues',
        {
          name: `Support ${run}`,
          strategy: 'longest_idle',
          sl_threshold_s: 20,
          sl_target: 0.8,
          max_waiting: 0,
          overflow_after_s: 0,
          overflow_queue: null,
          aging_interval_s: 0,
          relaxation: [],
          offer_timeout_s: 60,
          max_missed_offers: 3,
          wrap_up_s: 120,
          default_handle_time_s: 180,
          hours: { always_open: true, utc_offset_minutes: 0, windows: [] },
        },
        { expect: 201 },
      )
    ).id;
    ids.queue2 = (await admin.post('/api/v1/queues', { name: `Sales ${run}` }, { expect: 201 })).id;
    ids.agent = (
      await admin.post(
        '/api/v1/agents',
        { name: AGENT_NAME, profile: ids.profile, skills: [{ skill: ids.skill, proficiency: 5 }], queues: [{ queue: ids.queue, tier: 1 }] },
        { expect: 201 },
      )
    ).id;
    ids.disposition = (await admin.post('/api/v1/dispositions', { name: `Resolved ${run}`, conversion: false }, { expect: 201 })).id;
    for (const [k, v] of Object.entries(ids)) assert(Number.isInteger(v), `${k} id is an integer (got ${v})`);
  });

  await step('admin creates an agent user and a supervisor user', async () => {
    const a = await admin.post('/api/v1/users', { ...AGENT_USER, role: 'agent', agent_id: ids.agent }, { expect: 201 });
    assert(a.agent_id === ids.agent && a.role === 'agent', `agent user (got ${JSON.stringify(a)})`);
    const s = await admin.post('/api/v1/users', { ...SUPERVISOR_USER, role: 'supervisor' }, { expect: 201 });
    assert(s.role === 'supervisor', 'supervisor user');
    await admin.post('/api/v1/users', { ...LOCKED_USER, role: 'analyst' }, { expect: 201 });
    await admin.post('/api/v1/users', { ...ANALYST_USER, role: 'analyst' }, { expect: 201 });
  });

  await step('Chromium starts', async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: launchArgs });
    agentPage = await newPage('agent');
  }, { needs: false });

  await step('the login page shows the problem detail for a wrong password', async () => {
    await agentPage.goto(`${BASE}/`);
    await agentPage.getByTestId('login-form').waitFor({ timeout: WAIT_MS });
    await shot(agentPage, '01-login');
    await agentPage.getByTestId('login-username').fill(AGENT_USER.username);
    await agentPage.getByTestId('login-password').fill('wrong-password');
    await agentPage.getByTestId('login-submit').click();
    const err = await waitText(agentPage.getByTestId('login-error'), (t) => t.length > 0, 'login error');
    console.log(`     login error shown: ${JSON.stringify(err)}`);
    await shot(agentPage, '02-login-error');
  });

  await step('a locked account: the login page shows the 423 problem detail', async () => {
    const anon = new Api(BASE);
    for (let i = 0; i < 5; i++) await anon.call('POST', '/api/v1/auth/login', { username: LOCKED_USER.username, password: `wrong-${i}` }, { expect: [401, 423] });
    const r = await anon.call('POST', '/api/v1/auth/login', LOCKED_USER, { expect: [423] });
    const detail = r.json?.detail;
    assert(detail, 'the 423 answer has a detail');
    await agentPage.getByTestId('login-username').fill(LOCKED_USER.username);
    await agentPage.getByTestId('login-password').fill(LOCKED_USER.password);
    await agentPage.getByTestId('login-submit').click();
    await waitText(agentPage.getByTestId('login-error'), (t) => t === detail, `login error is the problem detail ${JSON.stringify(detail)}`);
    await shot(agentPage, '02-login-locked');
  }, { needs: false });

  await step('the agent logs in and sees only the agent desktop', async () => {
    await loginUi(agentPage, AGENT_USER.username, AGENT_USER.password);
    await agentPage.getByTestId('agent-desktop').waitFor({ timeout: WAIT_MS });
    const nav = await agentPage.getByTestId('nav').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('data-testid')));
    assert(JSON.stringify(nav) === '["nav-desktop","nav-my-schedule"]', `agent nav is the desktop and my schedule (got ${JSON.stringify(nav)})`);
    await waitText(agentPage.getByTestId('ws-status'), (t) => t === 'Live', 'agent WebSocket live');
  });

  await step('the agent goes not ready with a reason', async () => {
    const options = await agentPage.getByTestId('reason-select').locator('option').allTextContents();
    assert(options.length >= 1, `reason codes listed (got ${JSON.stringify(options)})`);
    const lunch = options.find((o) => /lunch/i.test(o)) ?? options[0];
    await agentPage.getByTestId('reason-select').selectOption({ label: lunch });
    await agentPage.getByTestId('state-not-ready').click();
    await waitText(agentPage.getByTestId('agent-presence'), (t) => /not ready/i.test(t), 'presence not ready');
  });

  let handledBefore = 0;
  await step('a supervisor logs in (second context) and sees the wallboard and reports only', async () => {
    supPage = await newPage('supervisor');
    await loginUi(supPage, SUPERVISOR_USER.username, SUPERVISOR_USER.password);
    await supPage.getByTestId('wallboard').waitFor({ timeout: WAIT_MS });
    const nav = await supPage.getByTestId('nav').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('data-testid')));
    assert(JSON.stringify(nav) === '["nav-wallboard","nav-rta","nav-reports","nav-alerts","nav-wfm-forecast","nav-wfm-staffing","nav-wfm-schedules"]', `supervisor nav is wallboard, adherence, reports, alerts and planning (got ${JSON.stringify(nav)})`);
    await queueRow(supPage).waitFor({ timeout: WAIT_MS });
    await waitText(queueRow(supPage).getByTestId('wb-queue-waiting'), (t) => t === '0', 'waiting 0 before the contact');
    handledBefore = Number(await queueRow(supPage).getByTestId('wb-queue-handled').textContent());
    await waitText(supPage.getByTestId('ws-status'), (t) => t === 'Live', 'supervisor WebSocket live');
    const agentRow = supPage.locator(`[data-testid="wb-agent-row"][data-agent-id="${ids.agent}"]`);
    await waitText(agentRow.getByTestId('wb-agent-presence'), (t) => /not ready/i.test(t), 'wallboard shows the agent not ready');
  });

  await step('a contact created over the API waits in the queue (wallboard waiting 1)', async () => {
    const c = await admin.post(
      '/api/v1/contacts',
      { channel: 'voice', queue: ids.queue, priority: 0, customer: 4242, attributes: { name: 'Carol Customer', account: 'ACME-42', topic: 'billing' } },
      { expect: 201 },
    );
    ids.contact = c.id;
    assert(c.state === 'queued', `new contact is queued while no agent is available (got ${c.state})`);
    await waitText(queueRow(supPage).getByTestId('wb-queue-waiting'), (t) => t === '1', 'wallboard waiting 1');
    await waitText(supPage.getByTestId('wb-total-waiting'), (t) => t === '1', 'waiting tile 1');
    const longest1 = (await queueRow(supPage).getByTestId('wb-queue-longest').textContent()).trim();
    await supPage.waitForTimeout(2100);
    const longest2 = (await queueRow(supPage).getByTestId('wb-queue-longest').textContent()).trim();
    assert(longest1 !== longest2, `longest wait ticks (${longest1} then ${longest2})`);
    await shot(supPage, '06-wallboard-waiting');
  });

  await step('the agent goes available and the offer arrives with a live countdown', async () => {
    await agentPage.getByTestId('state-available').click();
    const card = agentPage.locator(`[data-testid="offer-card"][data-contact-id="${ids.contact}"]`);
    await card.waitFor({ timeout: WAIT_MS });
    const first = await waitText(card.getByTestId('offer-countdown'), (t) => /^\d+s$/.test(t), 'countdown shows seconds');
    await agentPage.waitForTimeout(1300);
    const second = (await card.getByTestId('offer-countdown').textContent()).trim();
    assert(parseInt(second, 10) < parseInt(first, 10), `countdown ticks down (${first} then ${second})`);
    await waitText(agentPage.getByTestId('customer-panel'), (t) => t.includes('ACME-42'), 'customer panel shows the attributes');
    await shot(agentPage, '03-agent-offer');
  });

  await step('after a reload the ringing offer is back with its countdown (snapshot on subscribe)', async () => {
    await agentPage.reload();
    const card = agentPage.locator(`[data-testid="offer-card"][data-contact-id="${ids.contact}"]`);
    await card.waitFor();
    await waitText(card.getByTestId('offer-countdown'), (t) => /^\d+s$/.test(t) && parseInt(t, 10) > 0, 'countdown after reload');
    await waitText(agentPage.getByTestId('ws-status'), (t) => t === 'Live', 'agent WebSocket live again');
  });

  await step('the agent accepts; the wallboard shows waiting 0', async () => {
    await agentPage.getByTestId('offer-accept').click();
    const active = agentPage.locator(`[data-testid="active-contact"][data-contact-id="${ids.contact}"]`);
    await active.waitFor({ timeout: WAIT_MS });
    assert((await agentPage.getByTestId('offer-card').count()) === 0, 'offer card gone');
    await waitText(queueRow(supPage).getByTestId('wb-queue-waiting'), (t) => t === '0', 'wallboard waiting back to 0');
    await waitText(agentPage.getByTestId('agent-activity'), (t) => /busy/i.test(t), 'agent activity busy');
  });

  await step('hold and resume the active contact', async () => {
    await agentPage.getByTestId('contact-hold').click();
    await agentPage.getByTestId('contact-on-hold').waitFor({ timeout: WAIT_MS });
    await shot(agentPage, '04-agent-active-on-hold');
    await agentPage.getByTestId('contact-unhold').click();
    await agentPage.getByTestId('contact-hold').waitFor({ timeout: WAIT_MS });
  });

  await step('the agent ends the contact and wraps it up with a disposition', async () => {
    await agentPage.getByTestId('contact-end').click();
    const form = agentPage.locator(`[data-testid="wrapup-form"][data-contact-id="${ids.contact}"]`);
    await form.waitFor({ timeout: WAIT_MS });
    await form.getByTestId('wrapup-disposition').selectOption(String(ids.disposition));
    await form.getByTestId('wrapup-notes').fill('Explained the invoice; customer satisfied.');
    await shot(agentPage, '05-agent-wrap-up');
    await form.getByTestId('wrapup-submit').click();
    await form.waitFor({ state: 'detached', timeout: WAIT_MS });
    if ((await agentPage.getByTestId('desktop-error').count()) > 0) {
      throw new Error(`desktop error: ${await agentPage.getByTestId('desktop-error').textContent()}`);
    }
    const c = await admin.get(`/api/v1/contacts/${ids.contact}`).catch(() => null);
    if (c) assert(c.state === 'ended', `contact ended after wrap-up (got ${c.state})`);
  });

  await step('the wallboard shows handled today incremented', async () => {
    await waitText(queueRow(supPage).getByTestId('wb-queue-handled'), (t) => Number(t) === handledBefore + 1, `handled ${handledBefore} -> ${handledBefore + 1}`);
    await supPage.waitForTimeout(600);
    await shot(supPage, '07-wallboard-after');
  });

  await step('the agent takes a second contact and transfers it to another queue', async () => {
    const c = await admin.post('/api/v1/contacts', { channel: 'voice', queue: ids.queue, attributes: { name: 'Dan Customer' } }, { expect: 201 });
    ids.contact2 = c.id;
    const card = agentPage.locator(`[data-testid="offer-card"][data-contact-id="${ids.contact2}"]`);
    await card.waitFor();
    await card.getByTestId('offer-accept').click();
    const active = agentPage.locator(`[data-testid="active-contact"][data-contact-id="${ids.contact2}"]`);
    await active.waitFor();
    await active.getByTestId('transfer-queue').selectOption(String(ids.queue2));
    await active.getByTestId('contact-transfer').click();
    await active.waitFor({ state: 'detached' });
    const row = supPage.locator(`[data-testid="wb-queue-row"][data-queue-id="${ids.queue2}"]`);
    await waitText(row.getByTestId('wb-queue-waiting'), (t) => t === '1', 'the other queue has the transferred contact waiting');
  });

  await step('the supervisor forces the agent not ready; the agent desktop follows', async () => {
    const agentRow = supPage.locator(`[data-testid="wb-agent-row"][data-agent-id="${ids.agent}"]`);
    await waitText(agentRow.getByTestId('wb-agent-presence'), (t) => /available/i.test(t), 'wallboard shows the agent available');
    await agentRow.getByTestId('wb-agent-not-ready').click();
    await waitText(agentRow.getByTestId('wb-agent-presence'), (t) => /not ready/i.test(t), 'wallboard shows not ready');
    await waitText(agentPage.getByTestId('agent-presence'), (t) => /not ready/i.test(t), 'agent desktop shows not ready');
    await shot(agentPage, '08-agent-forced-not-ready');
  });

  await step('the agent logs out of the queue', async () => {
    await agentPage.getByTestId('state-logout').click();
    await waitText(agentPage.getByTestId('agent-presence'), (t) => /logged out/i.test(t), 'agent presence logged out');
  }, { needs: false });

  await step('an analyst sees the wallboard read-only', async () => {
    const page = await newPage('analyst');
    await loginUi(page, ANALYST_USER.username, ANALYST_USER.password);
    await page.getByTestId('wallboard').waitFor();
    await page.getByTestId('wb-readonly').waitFor();
    await queueRow(page).waitFor();
    await page.locator('[data-testid="wb-agent-row"]').first().waitFor();
    assert((await page.getByTestId('wb-agent-not-ready').count()) === 0, 'no state buttons for an analyst');
    const nav = await page.getByTestId('nav').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('data-testid')));
    assert(JSON.stringify(nav) === '["nav-wallboard","nav-reports","nav-wfm-forecast","nav-wfm-staffing","nav-wfm-schedules"]', `analyst nav is wallboard, reports and planning (got ${JSON.stringify(nav)})`);
    await page.context().close();
  }, { needs: false });

  await step('admin signs in to the web app and sees every page in the navigation', async () => {
    blocked = null; // the admin pages do not depend on the call flow
    adminPage = await newPage('admin');
    await loginUi(adminPage, 'admin', ADMIN_PASSWORD);
    const nav = await adminPage.getByTestId('nav').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('data-testid')));
    for (const want of ['nav-wallboard', 'nav-reports', 'nav-admin-queues', 'nav-admin-skills', 'nav-admin-profiles', 'nav-admin-agents', 'nav-admin-users', 'nav-admin-codes']) {
      assert(nav.includes(want), `admin nav has ${want} (got ${JSON.stringify(nav)})`);
    }
  }, { needs: false });

  for (const [page, prefix, expectId] of [
    ['queues', 'queues', () => ids.queue],
    ['skills', 'skills', () => ids.skill],
    ['profiles', 'profiles', () => ids.profile],
    ['agents', 'agents', () => ids.agent],
    ['users', 'users', () => null],
    ['codes', 'dispositions', () => ids.disposition],
  ]) {
    await step(`admin page: ${page}`, async () => {
      await adminPage.getByTestId(`nav-admin-${page}`).click();
      await adminPage.getByTestId(`admin-${prefix}`).waitFor({ timeout: WAIT_MS });
      const id = expectId();
      if (id !== null && id !== undefined) {
        const row = adminPage.locator(`[data-testid="${prefix}-row"][data-id="${id}"]`);
        await row.waitFor({ timeout: WAIT_MS });
        await row.getByTestId(`${prefix}-edit`).click();
        await waitText(adminPage.getByTestId(`${prefix}-form-title`), (t) => t.includes(`#${id}`), 'edit form opened');
      } else {
        await adminPage.locator(`[data-testid="${prefix}-row"]`).first().waitFor({ timeout: WAIT_MS });
      }
      await shot(adminPage, `10-admin-${page}`);
    }, { needs: false });
  }

  await step('admin creates a skill in the form and it is listed', async () => {
    await adminPage.getByTestId('nav-admin-skills').click();
    await adminPage.getByTestId('skills-new').click();
    await adminPage.getByTestId('skill-name').fill(`Spanish ${run}`);
    await adminPage.getByTestId('skills-save').click();
    await adminPage.getByTestId('form-saved').waitFor({ timeout: WAIT_MS });
    await waitText(adminPage.getByTestId('skills-table'), (t) => t.includes(`Spanish ${run}`), 'new skill listed');
  }, { needs: false });

  await step('admin edits the queue (PUT) and the change is saved', async () => {
    await adminPage.getByTestId('nav-admin-queues').click();
    const row = adminPage.locator(`[data-testid="queues-row"][data-id="${ids.queue}"]`);
    await row.getByTestId('queues-edit').click();
    await adminPage.getByTestId('queue-sl_threshold_s').fill('30');
    await adminPage.getByTestId('queues-save').click();
    await adminPage.getByTestId('form-saved').waitFor({ timeout: WAIT_MS });
    const q = await admin.get(`/api/v1/queues/${ids.queue}`);
    assert(q.sl_threshold_s === 30, `queue sl_threshold_s saved (got ${q.sl_threshold_s})`);
  }, { needs: false });

  await step('the users form shows validation errors from problem+json', async () => {
    await adminPage.getByTestId('nav-admin-users').click();
    await adminPage.getByTestId('users-new').click();
    await adminPage.getByTestId('user-username').fill(`shorty-${run}`);
    await adminPage.getByTestId('user-display-name').fill('Short Password');
    await adminPage.getByTestId('user-role').selectOption('analyst');
    await adminPage.getByTestId('user-password').fill('short');
    await adminPage.getByTestId('users-save').click();
    const msg = await waitText(adminPage.getByTestId('form-error'), (t) => t.length > 0, 'form error banner');
    console.log(`     validation error shown: ${JSON.stringify(msg)}`);
    const fieldErr = await adminPage.getByTestId('error-password').count();
    assert(fieldErr === 1, 'the password field shows its error (errors[].field == "password")');
    await shot(adminPage, '11-admin-users-validation');
  }, { needs: false });

  await step('admin sees the wallboard', async () => {
    await adminPage.getByTestId('nav-wallboard').click();
    await queueRow(adminPage).waitFor({ timeout: WAIT_MS });
    await shot(adminPage, '09-wallboard-admin');
  }, { needs: false });

  await step('the reports page charts the contacts handled above (reports read model, live)', async () => {
    await adminPage.getByTestId('nav-reports').click();
    await adminPage.getByTestId('reports').waitFor({ timeout: WAIT_MS });
    // The read model follows the log in batches: wait until the handled contact is in.
    const deadline = Date.now() + WAIT_MS;
    let handled = '';
    for (;;) {
      handled = ((await adminPage.getByTestId('reports-handled').textContent({ timeout: 2000 }).catch(() => null)) ?? '').trim();
      if (Number(handled) >= 1 || Date.now() > deadline) break;
      await adminPage.getByTestId('reports-apply').click();
      await adminPage.waitForTimeout(700);
    }
    assert(Number(handled) >= 1, `reports show the handled contact (handled tile: ${JSON.stringify(handled)})`);
    const bars = await adminPage.getByTestId('reports-volume-chart').locator('[data-testid="chart-bar"]').count();
    assert(bars >= 1, `the volume chart draws at least one interval (got ${bars})`);
    await adminPage.getByTestId('reports-heatmap').locator('[data-testid="heatmap-cell"]').first().waitFor();
    const histogram = await adminPage.getByTestId('reports-wait-histogram').locator('[data-testid="histogram-bar"]').count();
    assert(histogram >= 1, `the wait histogram has bars (got ${histogram})`);
    await adminPage.locator('[data-testid="reports-agent-row"]').first().waitFor();
    const csv = await adminPage.evaluate(async (href) => {
      const r = await fetch(href);
      return { status: r.status, type: r.headers.get('content-type'), head: (await r.text()).slice(0, 40) };
    }, await adminPage.getByTestId('reports-csv').getAttribute('href'));
    assert(csv.status === 200 && /text\/csv/.test(csv.type ?? '') && csv.head.startsWith('interval,queue,offered'), `CSV export (got ${JSON.stringify(csv)})`);
    await shot(adminPage, '12-reports');
  }, { needs: false });

  await step('the supervisor generates a schedule in the web app, edits it and publishes it', async () => {
    await supPage.getByTestId('nav-wfm-schedules').click();
    await supPage.getByTestId('wfm-schedules').waitFor({ timeout: WAIT_MS });
    const today = new Date().toISOString().slice(0, 10);
    await supPage.getByTestId('schedule-start').fill(today);
    await supPage.getByTestId('schedule-days').fill('1');
    await supPage.getByTestId('schedule-required').fill('1');
    await supPage.getByTestId('schedule-make').click();
    await supPage.getByTestId('schedule-grid').waitFor({ timeout: 15_000 });
    await waitText(supPage.getByTestId('schedule-state'), (t) => t === 'draft', 'a draft');
    const row = supPage.locator(`[data-testid="schedule-row"][data-agent="${AGENT_NAME}"]`);
    await row.waitFor({ timeout: WAIT_MS });
    const work = await row.locator('td[data-kind="work"]').count();
    assert(work >= 1, `the agent has work in the grid (got ${work} cells)`);
    const cells = await supPage.getByTestId('coverage-cell').count();
    assert(cells >= 1, 'the coverage row has cells');
    // A one-hour meeting for the agent at 10:00: the coverage row goes down there.
    await supPage.getByTestId('activity-agent').selectOption(AGENT_NAME);
    await supPage.getByTestId('activity-kind').selectOption('meeting');
    await supPage.getByTestId('activity-date').fill(today);
    await supPage.getByTestId('activity-from').fill('10:00');
    await supPage.getByTestId('activity-to').fill('11:00');
    await supPage.getByTestId('activity-add').click();
    await row.locator('td[data-kind="meeting"]').first().waitFor({ timeout: WAIT_MS });
    await shot(supPage, '13-schedule-grid');
    await supPage.getByTestId('schedule-publish').click();
    await waitText(supPage.getByTestId('schedule-state'), (t) => t === 'published', 'published');
  }, { needs: false });

  await step('the agent sees the published schedule on My schedule', async () => {
    await agentPage.getByTestId('nav-my-schedule').click();
    await agentPage.getByTestId('my-schedule').waitFor({ timeout: WAIT_MS });
    await agentPage.locator('[data-testid="my-activity"][data-kind="meeting"]').first().waitFor({ timeout: WAIT_MS });
    const n = await agentPage.getByTestId('my-activity').count();
    assert(n >= 2, `work and the meeting are listed (got ${n})`);
    await shot(agentPage, '14-my-schedule');
  }, { needs: false });

  await scheduleDragScenario({ step, assert, shot, page: supPage, api: admin, base: BASE, waitMs: WAIT_MS });

  await alertRulesScenario({ step, assert, shot, page: supPage, wallboard: adminPage, api: admin, base: BASE, waitMs: WAIT_MS, run });

  await step('signing out returns to the login page', async () => {
    await agentPage.getByTestId('logout').click();
    await agentPage.getByTestId('login-form').waitFor({ timeout: WAIT_MS });
    const me = await agentPage.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
    assert(me === 401, `session revoked (GET /auth/me -> ${me})`);
  }, { needs: false });
}

try {
  await main();
} catch (e) {
  failed++;
  console.log(`FAIL unexpected: ${e?.stack ?? e}`);
} finally {
  await browser?.close().catch(() => undefined);
}
if (!serverAlive() && !serverDeathCounted) {
  failed++;
  console.log(`FAIL the server keeps running (pid ${SERVER_PID} exited; see server.log)`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

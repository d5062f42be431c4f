// E2E scenario: alert rules in the web app (docs/alerts.md). A supervisor creates a threshold
// rule on the Alerts page ("waiting above 0" on a queue of its own), a contact created through
// the API waits in that queue, and the fired alert appears in the page's alert history and, live
// over the WebSocket, on a wallboard open in another browser context. Editing the rule on the
// page closes the alert (cleared_reason rule_changed) and removes it from the wallboard;
// deleting the rule on the page removes it from the list and from the API.
//
// Called from e2e.mjs's main() with its step runner, a supervisor page (the rules) and a second
// signed-in page (the wallboard, admin or supervisor):
//   await alertRulesScenario({ step, assert, shot, page: supPage, wallboard: adminPage, api: admin, base: BASE, waitMs: WAIT_MS, run });

// Live figures are sampled every 5 s (docs/alerts.md), so a transition may take one sample
// longer than the page's own waits.
const SAMPLE_MS = 5_000;

async function until(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

export async function alertRulesScenario({ step, assert, shot, page, wallboard, api, base, waitMs, run }) {
  const ctx = { name: `Backlog ${run}`, queueName: `Alerts ${run}` };
  const ruleRow = () => page.locator(`[data-testid="alert-rules-row"][data-id="${ctx.rule}"]`);
  const historyRow = () => page.locator(`[data-testid="alert-history-row"][data-id="${ctx.alert}"]`);
  const wallboardAlert = () => wallboard.locator(`[data-testid="wb-alert"][data-alert-id="${ctx.alert}"]`);
  const refreshHistoryUntil = (what, pred) =>
    until(
      what,
      async () => {
        await page.getByTestId('alert-history').getByRole('button', { name: 'Refresh' }).click();
        await page.waitForTimeout(200);
        const text = ((await historyRow().textContent({ timeout: 500 }).catch(() => null)) ?? '').trim();
        return pred(text) ? text : null;
      },
      waitMs,
    );

  await step('alert rules: a supervisor creates a threshold rule (waiting above 0 on a queue) on the Alerts page', async () => {
    // A queue of its own: nobody serves it, and no other step's contacts wait there.
    ctx.queue = (await api.post('/api/v1/queues', { name: ctx.queueName }, { expect: 201 })).id;
    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('admin-alert-rules').waitFor({ timeout: waitMs });
    await page.getByTestId('alert-rules-new').click();
    await page.getByTestId('alert-rule-name').fill(ctx.name);
    // The figures come from the server (GET /alert-rules → metrics): wait for the catalogue.
    await page.locator('[data-testid="alert-rule-metric"] option[value="waiting"]').waitFor({ state: 'attached' });
    await page.getByTestId('alert-rule-metric').selectOption('waiting');
    await page.getByTestId('alert-rule-kind').selectOption('threshold');
    await page.getByTestId('alert-rule-comparison').selectOption('above');
    await page.getByTestId('alert-rule-threshold').fill('0');
    await page.getByTestId('alert-rule-scope').selectOption('queue');
    await page.locator(`[data-testid="alert-rule-queue"] option[value="${ctx.queue}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('alert-rule-queue').selectOption(String(ctx.queue));
    await page.getByTestId('alert-rule-severity').selectOption('critical');
    await shot(page, '18-alert-rule-form');
    await page.getByTestId('alert-rules-save').click();
    await page.getByTestId('form-saved').waitFor({ timeout: waitMs });

    const rules = (await api.get('/api/v1/alert-rules')).items;
    const rule = rules.find((r) => r.name === ctx.name);
    assert(rule, `the API lists the rule (got ${JSON.stringify(rules.map((r) => r.name))})`);
    assert(
      rule.metric === 'waiting' && rule.kind === 'threshold' && rule.comparison === 'above' && rule.threshold === 0 && rule.scope === 'queue' && rule.queue === ctx.queue && rule.severity === 'critical' && rule.enabled,
      `the rule is saved as entered (got ${JSON.stringify(rule)})`,
    );
    ctx.rule = rule.id;
    const summary = (await ruleRow().getByTestId('alert-rule-summary').textContent()).trim();
    assert(summary.includes(ctx.queueName) && summary.includes('above 0'), `the list describes the rule (got ${JSON.stringify(summary)})`);
    const active = (await api.get(`/api/v1/alerts?state=active&rule=${ctx.rule}`)).items;
    assert(active.length === 0, `nothing fired while the queue is empty (got ${JSON.stringify(active)})`);
  }, { needs: false });

  await step('alert rules: a waiting contact fires the alert; the history and the live wallboard show it', async () => {
    assert(ctx.rule, 'the rule was created');
    // The wallboard is open before the alert fires: it arrives as a live push, not a reload.
    await wallboard.getByTestId('nav-wallboard').click();
    await wallboard.getByTestId('wallboard').waitFor({ timeout: waitMs });
    await until('wallboard WebSocket live', async () => ((await wallboard.getByTestId('ws-status').textContent({ timeout: 500 }).catch(() => null)) ?? '').trim() === 'Live', waitMs);

    ctx.contact = (await api.post('/api/v1/contacts', { channel: 'voice', queue: ctx.queue }, { expect: 201 })).id;
    const fired = await until(
      'the alert fires (GET /alerts?state=active)',
      async () => (await api.get(`/api/v1/alerts?state=active&rule=${ctx.rule}`)).items[0],
      waitMs + SAMPLE_MS,
    );
    ctx.alert = fired.id;
    assert(fired.queue === ctx.queue && fired.value >= 1 && fired.severity === 'critical', `the alert is about the queue's waiting contact (got ${JSON.stringify(fired)})`);

    await wallboardAlert().waitFor({ timeout: waitMs });
    const onWallboard = (await wallboardAlert().textContent()).trim();
    assert(onWallboard.includes(ctx.name) && onWallboard.includes(ctx.queueName), `the wallboard names the rule and the queue (got ${JSON.stringify(onWallboard)})`);
    await shot(wallboard, '19-wallboard-alert-fired');

    const text = await refreshHistoryUntil('the alert history lists the fired alert', (t) => t.includes(ctx.name) && t.includes('active'));
    assert(text.includes(ctx.queueName), `the history row names the queue (got ${JSON.stringify(text)})`);
    await shot(page, '20-alert-history-fired');
  }, { needs: false });

  await step('alert rules: editing the rule on the page closes its alert (history and wallboard)', async () => {
    assert(ctx.alert, 'the alert fired');
    await ruleRow().getByTestId('alert-rules-edit').click();
    await until('the edit form opens', async () => ((await page.getByTestId('alert-rules-form-title').textContent()) ?? '').includes(`#${ctx.rule}`), waitMs);
    await page.getByTestId('alert-rule-threshold').fill('5');
    await page.getByTestId('alert-rule-name').fill(`${ctx.name} (edited)`);
    await page.getByTestId('alert-rules-save').click();
    await page.getByTestId('form-saved').waitFor({ timeout: waitMs });
    const rule = await api.get(`/api/v1/alert-rules/${ctx.rule}`);
    assert(rule.threshold === 5 && rule.name === `${ctx.name} (edited)`, `the API has the edit (got ${JSON.stringify(rule)})`);
    await until('the list shows the new threshold', async () => ((await ruleRow().getByTestId('alert-rule-summary').textContent()) ?? '').includes('above 5'), waitMs);

    const closed = (await api.get(`/api/v1/alerts?state=all&rule=${ctx.rule}`)).items.find((a) => a.id === ctx.alert);
    assert(closed?.state === 'cleared' && closed.cleared_reason === 'rule_changed', `the alert closed with rule_changed (got ${JSON.stringify(closed)})`);
    await refreshHistoryUntil('the history shows the alert cleared', (t) => t.includes('cleared (rule_changed)'));
    await wallboardAlert().waitFor({ state: 'detached', timeout: waitMs });
    // One waiting contact is not above 5: the edited rule does not fire again.
    await page.waitForTimeout(SAMPLE_MS + 500);
    const again = (await api.get(`/api/v1/alerts?state=active&rule=${ctx.rule}`)).items;
    assert(again.length === 0, `the edited rule stays quiet at 1 waiting (got ${JSON.stringify(again)})`);
    await shot(page, '21-alert-rule-edited');
  }, { needs: false });

  await step('alert rules: deleting the rule on the page removes it', async () => {
    assert(ctx.rule, 'the rule was created');
    page.once('dialog', (d) => d.accept());
    await ruleRow().getByTestId('alert-rules-delete').click();
    await ruleRow().waitFor({ state: 'detached', timeout: waitMs });
    const gone = await api.call('GET', `/api/v1/alert-rules/${ctx.rule}`, undefined, { expect: 404 });
    assert(gone.status === 404, 'GET /alert-rules/{id} answers 404');
    const history = (await api.get(`/api/v1/alerts?state=all&rule=${ctx.rule}`)).items;
    assert(history.some((a) => a.id === ctx.alert), 'the alert history keeps the deleted rule\'s alert');
    await shot(page, '22-alert-rule-deleted');
  }, { needs: false });

  // The contact leaves the queue so later steps see the center as they left it.
  if (ctx.contact) await api.post(`/api/v1/contacts/${ctx.contact}/abandon`, {}).catch(() => undefined);
}

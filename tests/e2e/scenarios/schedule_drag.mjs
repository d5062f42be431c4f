// E2E scenario: drag editing of the schedule grid (docs/scheduling.md, "In the server and the
// web app"). A supervisor opens a draft schedule, drags across two cells in the middle of an
// agent's work to paint them "training", sees the coverage row drop by one agent in those two
// intervals while dragging and after saving, drags the training's last cell one interval on, and
// the changes are checked through the API: the stored schedule has the training activity at
// those times, the work split around it, and its coverage says the same.
//
// Called from e2e.mjs's main() with its step runner and pages:
//   await scheduleDragScenario({ step, assert, shot, page: supPage, api: admin, base: BASE, waitMs: WAIT_MS });

const AGENTS = ['Drag Ann', 'Drag Ben'];

/** A one-day draft for two agents (not configured ones: the request lists them), 2 needed 09:00-17:00. */
function scheduleRequest(day) {
  const required = Array.from({ length: 48 }, (_, i) => (i >= 18 && i < 34 ? 2 : 0));
  return {
    name: 'e2e drag',
    start_date: day,
    days: 1,
    interval_minutes: 30,
    time_zone: 'UTC',
    requirement: { required },
    templates: [
      {
        name: 'e2e-day',
        length: '8:00',
        earliest_start: '09:00',
        latest_start: '09:00',
        breaks: [{ name: 'lunch', length_min: 30, earliest_after_min: 240, latest_after_min: 240, paid: false }],
      },
    ],
    agents: AGENTS.map((id) => ({ id, max_hours: 8 })),
    greedy: true,
  };
}

async function coverageTexts(page) {
  return page.getByTestId('coverage-cell').allTextContents();
}

export async function scheduleDragScenario({ step, assert, shot, page, api, base, waitMs }) {
  const ctx = {};

  await step('drag editing: a supervisor paints two intervals of an agent\'s work in the schedule grid', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const s = await api.post('/api/v1/wfm/schedules', scheduleRequest(day), { expect: 201 });
    ctx.id = s.id;
    const ann = s.activities.filter((a) => a.agent === AGENTS[0]);
    assert(ann.some((a) => a.kind === 'work'), `the draft gives ${AGENTS[0]} work (got ${JSON.stringify(ann.map((a) => a.kind))})`);

    // The page opens the newest schedule: this one.
    await page.goto(`${base}/#/wfm/schedules`);
    await page.reload();
    await page.getByTestId('schedule-grid').waitFor({ timeout: waitMs });
    const row = page.locator(`[data-testid="schedule-row"][data-agent="${AGENTS[0]}"]`);
    await row.waitFor({ timeout: waitMs });
    const kinds = await row.getByTestId('schedule-cell').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-kind')));
    // Two cells inside one stretch of work, neither at its edge (a drag from an edge moves it).
    let col = -1;
    for (let i = 1; i + 2 < kinds.length; i++) {
      if (kinds.slice(i - 1, i + 3).every((k) => k === 'work')) {
        col = i;
        break;
      }
    }
    assert(col >= 0, `four consecutive work cells in ${JSON.stringify(kinds)}`);
    const headers = await page.locator('[data-testid="schedule-grid"] thead th').allTextContents();
    ctx.from = headers[col + 1];
    ctx.to = headers[col + 2];
    const before = await coverageTexts(page);
    ctx.col = col;
    ctx.before = [Number(before[col]), Number(before[col + 1]), Number(before[col + 2])];

    await page.getByTestId('paint-kind').selectOption('training');
    const cells = row.getByTestId('schedule-cell');
    const a = await cells.nth(col).boundingBox();
    const b = await cells.nth(col + 1).boundingBox();
    assert(a && b, 'the cells are on screen');
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 4 });
    // While the mouse is down the grid previews the edit: coverage one lower in both intervals.
    const during = await coverageTexts(page);
    assert(
      Number(during[col]) === ctx.before[0] - 1 && Number(during[col + 1]) === ctx.before[1] - 1,
      `the preview lowers coverage at ${ctx.from} and ${ctx.to} (before ${ctx.before}, during ${during.slice(col, col + 2)})`,
    );
    await shot(page, '15-schedule-drag-preview');
    await page.mouse.up();

    // Saved: the cells are training, and the coverage row (from the server's answer) agrees.
    await row.locator(`td[data-col="${col}"][data-kind="training"]`).waitFor({ timeout: waitMs });
    await row.locator(`td[data-col="${col + 1}"][data-kind="training"]`).waitFor({ timeout: waitMs });
    const deadline = Date.now() + waitMs;
    let after = [];
    while (Date.now() < deadline) {
      after = await coverageTexts(page);
      if (Number(after[col]) === ctx.before[0] - 1 && Number(after[col + 1]) === ctx.before[1] - 1) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    assert(
      Number(after[col]) === ctx.before[0] - 1 && Number(after[col + 1]) === ctx.before[1] - 1,
      `coverage after saving is one lower at ${ctx.from} and ${ctx.to} (before ${ctx.before}, after ${after.slice(col, col + 2)})`,
    );
    assert(!(await page.getByTestId('schedule-error').isVisible()), 'no error banner');
    await shot(page, '16-schedule-drag-saved');
  }, { needs: false });

  await step('drag editing: dragging the painted activity\'s last cell one interval on lengthens it', async () => {
    assert(ctx.col !== undefined, 'the paint step found the cells');
    const row = page.locator(`[data-testid="schedule-row"][data-agent="${AGENTS[0]}"]`);
    const cells = row.getByTestId('schedule-cell');
    const before = Number((await coverageTexts(page))[ctx.col + 2]);
    const a = await cells.nth(ctx.col + 1).boundingBox();
    const b = await cells.nth(ctx.col + 2).boundingBox();
    assert(a && b, 'the cells are on screen');
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 4 });
    await page.mouse.up();
    await row.locator(`td[data-col="${ctx.col + 2}"][data-kind="training"]`).waitFor({ timeout: waitMs });
    const deadline = Date.now() + waitMs;
    let now = NaN;
    while (Date.now() < deadline) {
      now = Number((await coverageTexts(page))[ctx.col + 2]);
      if (now === before - 1) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    assert(now === before - 1, `coverage one lower in the interval the edge moved over (before ${before}, after ${now})`);
    await shot(page, '17-schedule-drag-edge');
  }, { needs: false });

  await step('drag editing: the API has the painted activity and the recomputed coverage', async () => {
    assert(ctx.id, 'the drag step created a schedule');
    const s = await api.get(`/api/v1/wfm/schedules/${ctx.id}`);
    const training = s.activities.filter((a) => a.agent === AGENTS[0] && a.kind === 'training');
    assert(training.length === 1, `one training activity for ${AGENTS[0]} (got ${JSON.stringify(training)})`);
    const t = training[0];
    // Painted over two 30-minute intervals, then its end dragged one interval on.
    assert(
      t.start_local.slice(11, 16) === ctx.from && t.end - t.start === 90 * 60_000,
      `training ${ctx.from} for 90 minutes (got ${t.start_local}–${t.end_local})`,
    );
    // The work it was painted over is split around it.
    const work = s.activities.filter((a) => a.agent === AGENTS[0] && a.kind === 'work');
    assert(work.some((a) => a.end === t.start) && work.some((a) => a.start === t.end), `work ends at the training and resumes after it (got ${JSON.stringify(work.map((a) => [a.start_local, a.end_local]))})`);
    assert(s.revision === 3, `two edits: revision 3 (got ${s.revision})`);
    const rows = s.coverage.intervals.filter((c) => c.start >= t.start && c.start < t.end);
    assert(rows.length === 3, `three coverage intervals under the training (got ${rows.length})`);
    for (const [k, c] of rows.entries()) {
      assert(Math.abs(c.difference - (ctx.before[k] - 1)) < 1e-9, `API coverage at ${c.local} is ${ctx.before[k] - 1} (got ${c.difference})`);
      assert(c.scheduled === 1 && c.required === 2, `one of two agents working at ${c.local} (got ${c.scheduled}/${c.required})`);
    }
  }, { needs: false });
}

import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { activitiesByDay, minutesByKind, type Activity } from '../logic/wfm';
import { ACTIVITY_COLOURS } from './Schedules';

interface MyScheduleJson {
  agent: string;
  time_zone: string;
  now: Activity | null;
  activities: Activity[];
}

function hours(min: number | undefined): string {
  return `${((min ?? 0) / 60).toFixed(1)} h`;
}

/** The logged-in agent's published schedule, day by day. */
export function MySchedulePage() {
  const [data, setData] = useState<MyScheduleJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

  useEffect(() => {
    api
      .get<MyScheduleJson>(`/api/v1/wfm/my-schedule?tz=${encodeURIComponent(tz)}`)
      .then(setData)
      .catch((e) => setError(errorText(e)));
  }, []);

  return (
    <div class="page" data-testid="my-schedule">
      <div class="page-head">
        <h1>My schedule</h1>
        {data ? <span class="muted">{data.agent} · times in {data.time_zone}</span> : null}
      </div>
      {error ? (
        <div class="banner banner-error" role="alert" data-testid="my-schedule-error">
          <span>{error}</span>
        </div>
      ) : null}
      {data?.now ? (
        <p class="card" data-testid="my-schedule-now">
          Now: <strong>{data.now.kind}</strong> until {data.now.end_local.slice(11, 16)}
        </p>
      ) : null}
      {data && data.activities.length === 0 ? (
        <p class="muted" data-testid="my-schedule-empty">
          No published schedule for the next two weeks.
        </p>
      ) : null}
      {data
        ? activitiesByDay(data.activities).map((d) => {
            const m = minutesByKind(d.items);
            return (
              <section class="card" data-testid="my-schedule-day">
                <h2>
                  {d.day} <span class="muted small">work {hours(m.work)}</span>
                </h2>
                <table class="grid">
                  <tbody>
                    {d.items.map((a) => (
                      <tr data-testid="my-activity" data-kind={a.kind}>
                        <td style={{ width: '8px', padding: 0, background: ACTIVITY_COLOURS[a.kind] }} />
                        <td class="nowrap">
                          {a.start_local.slice(11, 16)}–{a.end_local.slice(11, 16)}
                        </td>
                        <td>{a.kind}</td>
                        <td class="muted">{a.label}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            );
          })
        : null}
    </div>
  );
}

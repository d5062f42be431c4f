import { Field, fieldError } from '../../components';
import { WEEKDAYS, defaultQueue, hhmmToMinute, minuteToHHMM, normalizeQueue, withoutId } from '../../logic/forms';
import { RELAXATION_ACTIONS, STRATEGIES, type Queue, type RelaxationAction, type Strategy } from '../../types';
import { CrudPage, inputValue, numShow, numValue, useList } from './Crud';

type Draft = Omit<Queue, 'id'> & { id?: number };

export function QueuesPage() {
  const queues = useList<Queue>('/api/v1/queues');
  return (
    <CrudPage<Queue, Draft>
      title="Queues"
      path="/api/v1/queues"
      prefix="queues"
      noun="queue"
      columns={[
        { label: 'Name', render: (q) => q.name },
        { label: 'Strategy', render: (q) => q.strategy.replace(/_/g, ' ') },
        { label: 'SL', render: (q) => `${Math.round((q.sl_target ?? 0) * 100)}% in ${q.sl_threshold_s}s` },
        { label: 'Hours', render: (q) => (q.hours?.always_open ? '24/7' : `${q.hours?.windows?.length ?? 0} windows`) },
      ]}
      empty={defaultQueue}
      toDraft={(q) => normalizeQueue(q)}
      createBody={(d) => withoutId(d)}
      updateBody={(d) => withoutId(d)}
      renderForm={(d, set, errors, editing) => {
        const num = (key: keyof Draft, label: string, hint?: string, step = '1') => (
          <Field label={label} name={String(key)} error={fieldError(errors, String(key))} hint={hint}>
            <input
              type="number"
              step={step}
              data-testid={`queue-${String(key)}`}
              value={numShow(d[key] as number)}
              onInput={(e) => set({ ...d, [key]: numValue(e) })}
            />
          </Field>
        );
        return (
          <div>
            <div class="form-row">
              <Field label="Name" name="name" error={fieldError(errors, 'name')}>
                <input data-testid="queue-name" value={d.name} onInput={(e) => set({ ...d, name: inputValue(e) })} />
              </Field>
              <Field label="Strategy" name="strategy" error={fieldError(errors, 'strategy')}>
                <select data-testid="queue-strategy" value={d.strategy} onChange={(e) => set({ ...d, strategy: inputValue(e) as Strategy })}>
                  {STRATEGIES.map((s) => (
                    <option value={s}>{s.replace(/_/g, ' ')}</option>
                  ))}
                </select>
              </Field>
            </div>
            <div class="form-row">
              {num('sl_threshold_s', 'SL threshold (s)')}
              {num('sl_target', 'SL target (0–1)', undefined, '0.01')}
              {num('max_waiting', 'Max waiting', '0 = unlimited')}
            </div>
            <div class="form-row">
              {num('offer_timeout_s', 'Offer timeout (s)')}
              {num('max_missed_offers', 'Max missed offers')}
              {num('wrap_up_s', 'Wrap-up (s)')}
            </div>
            <div class="form-row">
              {num('default_handle_time_s', 'Default AHT (s)', 'Before real data')}
              {num('aging_interval_s', 'Aging interval (s)', '0 = off')}
              {num('overflow_after_s', 'Overflow after (s)', '0 = never')}
            </div>
            <Field label="Overflow queue" name="overflow_queue" error={fieldError(errors, 'overflow_queue')}>
              <select
                data-testid="queue-overflow_queue"
                value={d.overflow_queue ?? ''}
                onChange={(e) => {
                  const v = inputValue(e);
                  set({ ...d, overflow_queue: v === '' ? null : Number(v) });
                }}
              >
                <option value="">None</option>
                {queues
                  .filter((q) => q.id !== editing?.id)
                  .map((q) => (
                    <option value={q.id}>{q.name}</option>
                  ))}
              </select>
            </Field>

            <fieldset class="fieldset">
              <legend>Relaxation steps</legend>
              {d.relaxation.map((r, i) => (
                <div class="form-row row-editor" data-testid="queue-relaxation-row">
                  <Field label="After (s)" error={fieldError(errors, `relaxation[${i}].after_s`)}>
                    <input type="number" value={numShow(r.after_s)} onInput={(e) => set({ ...d, relaxation: d.relaxation.map((x, j) => (j === i ? { ...x, after_s: numValue(e) } : x)) })} />
                  </Field>
                  <Field label="Action" error={fieldError(errors, `relaxation[${i}].action`)}>
                    <select value={r.action} onChange={(e) => set({ ...d, relaxation: d.relaxation.map((x, j) => (j === i ? { ...x, action: inputValue(e) as RelaxationAction } : x)) })}>
                      {RELAXATION_ACTIONS.map((a) => (
                        <option value={a}>{a.replace(/_/g, ' ')}</option>
                      ))}
                    </select>
                  </Field>
                  <Field label="Amount" error={fieldError(errors, `relaxation[${i}].amount`)}>
                    <input type="number" value={numShow(r.amount)} onInput={(e) => set({ ...d, relaxation: d.relaxation.map((x, j) => (j === i ? { ...x, amount: numValue(e) } : x)) })} />
                  </Field>
                  <button type="button" class="btn btn-sm btn-ghost" onClick={() => set({ ...d, relaxation: d.relaxation.filter((_, j) => j !== i) })}>
                    Remove
                  </button>
                </div>
              ))}
              {fieldError(errors, 'relaxation') && d.relaxation.length === 0 ? <span class="field-error">{fieldError(errors, 'relaxation')}</span> : null}
              <button type="button" class="btn btn-sm" data-testid="queue-add-relaxation" onClick={() => set({ ...d, relaxation: [...d.relaxation, { after_s: 30, action: 'lower_proficiency', amount: 1 }] })}>
                Add step
              </button>
            </fieldset>

            <fieldset class="fieldset">
              <legend>Opening hours</legend>
              <div class="form-row">
                <label class="check">
                  <input
                    type="checkbox"
                    data-testid="queue-always-open"
                    checked={d.hours.always_open}
                    onChange={(e) => set({ ...d, hours: { ...d.hours, always_open: (e.target as HTMLInputElement).checked } })}
                  />
                  Always open
                </label>
                <Field label="UTC offset (minutes)" error={fieldError(errors, 'hours.utc_offset_minutes')}>
                  <input type="number" value={numShow(d.hours.utc_offset_minutes)} onInput={(e) => set({ ...d, hours: { ...d.hours, utc_offset_minutes: numValue(e) } })} />
                </Field>
              </div>
              {d.hours.windows.map((w, i) => (
                <div class="form-row row-editor" data-testid="queue-window-row">
                  <Field label="Day" error={fieldError(errors, `hours.windows[${i}].weekday`)}>
                    <select value={w.weekday} onChange={(e) => set({ ...d, hours: { ...d.hours, windows: d.hours.windows.map((x, j) => (j === i ? { ...x, weekday: Number(inputValue(e)) } : x)) } })}>
                      {WEEKDAYS.map((name, k) => (
                        <option value={k}>{name}</option>
                      ))}
                    </select>
                  </Field>
                  <Field label="Opens" error={fieldError(errors, `hours.windows[${i}].open_minute`)}>
                    <input
                      type="time"
                      value={minuteToHHMM(w.open_minute)}
                      onChange={(e) => set({ ...d, hours: { ...d.hours, windows: d.hours.windows.map((x, j) => (j === i ? { ...x, open_minute: hhmmToMinute(inputValue(e)) ?? x.open_minute } : x)) } })}
                    />
                  </Field>
                  <Field label="Closes" error={fieldError(errors, `hours.windows[${i}].close_minute`)}>
                    <input
                      type="time"
                      value={minuteToHHMM(w.close_minute)}
                      onChange={(e) => set({ ...d, hours: { ...d.hours, windows: d.hours.windows.map((x, j) => (j === i ? { ...x, close_minute: hhmmToMinute(inputValue(e)) ?? x.close_minute } : x)) } })}
                    />
                  </Field>
                  <button type="button" class="btn btn-sm btn-ghost" onClick={() => set({ ...d, hours: { ...d.hours, windows: d.hours.windows.filter((_, j) => j !== i) } })}>
                    Remove
                  </button>
                </div>
              ))}
              <button
                type="button"
                class="btn btn-sm"
                data-testid="queue-add-window"
                onClick={() => set({ ...d, hours: { ...d.hours, windows: [...d.hours.windows, { weekday: 0, open_minute: 480, close_minute: 1080 }] } })}
              >
                Add window
              </button>
            </fieldset>
          </div>
        );
      }}
    />
  );
}

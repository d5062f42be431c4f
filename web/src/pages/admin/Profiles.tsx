import { Field, fieldError } from '../../components';
import { defaultProfile, profileBody } from '../../logic/forms';
import { CHANNELS, type Profile } from '../../types';
import { CrudPage, inputValue, numShow, numValue } from './Crud';

type Draft = Omit<Profile, 'id'> & { id?: number };

export function ProfilesPage() {
  return (
    <CrudPage<Profile, Draft>
      title="Routing profiles"
      path="/api/v1/profiles"
      prefix="profiles"
      noun="profile"
      description="How many contacts of each channel an agent may handle at once."
      columns={[
        { label: 'Name', render: (p) => p.name },
        {
          label: 'Capacity',
          render: (p) =>
            Object.entries(p.capacity ?? {})
              .filter(([, v]) => v)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || '—',
        },
        { label: 'Max total', render: (p) => p.max_total, num: true },
        { label: 'Exclusive', render: (p) => (p.exclusive ?? []).join(', ') || '—' },
      ]}
      empty={defaultProfile}
      toDraft={(p) => ({ ...p, capacity: { ...p.capacity }, exclusive: [...(p.exclusive ?? [])] })}
      createBody={profileBody}
      updateBody={profileBody}
      renderForm={(d, set, errors) => (
        <div>
          <Field label="Name" name="name" error={fieldError(errors, 'name')}>
            <input data-testid="profile-name" value={d.name} onInput={(e) => set({ ...d, name: inputValue(e) })} />
          </Field>
          <fieldset class="fieldset">
            <legend>Capacity per channel</legend>
            <div class="channel-grid">
              {CHANNELS.map((ch) => (
                <Field label={ch} name={`capacity.${ch}`} error={fieldError(errors, `capacity.${ch}`)}>
                  <input
                    type="number"
                    min="0"
                    data-testid={`profile-capacity-${ch}`}
                    value={numShow(d.capacity[ch] ?? 0)}
                    onInput={(e) => set({ ...d, capacity: { ...d.capacity, [ch]: numValue(e) } })}
                  />
                </Field>
              ))}
            </div>
            {fieldError(errors, 'capacity') && !CHANNELS.some((ch) => errors.byField[`capacity.${ch}`]) ? (
              <span class="field-error" data-testid="error-capacity">
                {fieldError(errors, 'capacity')}
              </span>
            ) : null}
          </fieldset>
          <Field label="Max total" name="max_total" error={fieldError(errors, 'max_total')} hint="Contacts at once across all channels">
            <input type="number" min="0" data-testid="profile-max-total" value={numShow(d.max_total)} onInput={(e) => set({ ...d, max_total: numValue(e) })} />
          </Field>
          <fieldset class="fieldset">
            <legend>Exclusive channels</legend>
            <div class="checks">
              {CHANNELS.map((ch) => (
                <label class="check">
                  <input
                    type="checkbox"
                    data-testid={`profile-exclusive-${ch}`}
                    checked={d.exclusive.includes(ch)}
                    onChange={(e) => {
                      const on = (e.target as HTMLInputElement).checked;
                      set({ ...d, exclusive: on ? [...d.exclusive, ch] : d.exclusive.filter((x) => x !== ch) });
                    }}
                  />
                  {ch}
                </label>
              ))}
            </div>
            {fieldError(errors, 'exclusive') ? <span class="field-error">{fieldError(errors, 'exclusive')}</span> : null}
          </fieldset>
        </div>
      )}
    />
  );
}

import { Field, fieldError } from '../../components';
import { withoutId } from '../../logic/forms';
import type { Disposition, ReasonCode } from '../../types';
import { CrudPage, inputValue } from './Crud';

type DispositionDraft = Omit<Disposition, 'id'> & { id?: number };
type ReasonDraft = Omit<ReasonCode, 'id'> & { id?: number };

/** Wrap-up dispositions and not-ready reason codes (ids 1–7 are built in). */
export function CodesPage() {
  return (
    <div class="page stack">
      <CrudPage<Disposition, DispositionDraft>
        title="Dispositions"
        path="/api/v1/dispositions"
        prefix="dispositions"
        noun="disposition"
        description="Wrap-up codes agents choose when they finish a contact."
        columns={[
          { label: 'Name', render: (d) => d.name },
          { label: 'Conversion', render: (d) => (d.conversion ? 'yes' : '—') },
        ]}
        empty={() => ({ name: '', conversion: false })}
        toDraft={(d) => ({ ...d })}
        createBody={(d) => withoutId(d)}
        updateBody={(d) => withoutId(d)}
        renderForm={(d, set, errors) => (
          <div>
            <Field label="Name" name="name" error={fieldError(errors, 'name')}>
              <input data-testid="disposition-name" value={d.name} onInput={(e) => set({ ...d, name: inputValue(e) })} />
            </Field>
            <label class="check">
              <input type="checkbox" data-testid="disposition-conversion" checked={d.conversion} onChange={(e) => set({ ...d, conversion: (e.target as HTMLInputElement).checked })} />
              Counts as a conversion
            </label>
          </div>
        )}
      />
      <CrudPage<ReasonCode, ReasonDraft>
        title="Not-ready reasons"
        path="/api/v1/reason-codes"
        prefix="reasons"
        noun="reason"
        description="Reasons agents give for not being ready. Ids 1–7 are built in."
        columns={[{ label: 'Name', render: (r) => r.name }]}
        empty={() => ({ name: '' })}
        toDraft={(r) => ({ id: r.id, name: r.name })}
        createBody={(d) => withoutId(d)}
        updateBody={(d) => withoutId(d)}
        renderForm={(d, set, errors) => (
          <Field label="Name" name="name" error={fieldError(errors, 'name')}>
            <input data-testid="reason-name" value={d.name} onInput={(e) => set({ ...d, name: inputValue(e) })} />
          </Field>
        )}
      />
    </div>
  );
}

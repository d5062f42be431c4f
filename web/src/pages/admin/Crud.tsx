import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorText, listAll } from '../../api';
import { ErrorBanner, Notice } from '../../components';
import { fieldErrors, type FieldErrors } from '../../logic/forms';

export interface Column<T> {
  label: string;
  render: (item: T) => ComponentChildren;
  num?: boolean;
}

export interface CrudProps<T extends { id: number }, D> {
  title: string;
  /** Collection path, e.g. /api/v1/skills. */
  path: string;
  /** data-testid prefix, e.g. "skills". */
  prefix: string;
  noun: string;
  columns: Column<T>[];
  empty: () => D;
  toDraft: (item: T) => D;
  createBody: (draft: D) => unknown;
  updateBody: (draft: D, original: T) => unknown;
  updateMethod?: 'PUT' | 'PATCH';
  renderForm: (draft: D, set: (d: D) => void, errors: FieldErrors, editing: T | null) => JSX.Element;
  rowActions?: (item: T, reload: () => void, setError: (s: string | null) => void) => ComponentChildren;
  /** Bumped by the page when related lists must be reloaded after a save. */
  onSaved?: () => void;
  description?: string;
}

export function CrudPage<T extends { id: number }, D>(p: CrudProps<T, D>) {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<T | null>(null);
  const [draft, setDraft] = useState<D>(p.empty);
  const [errors, setErrors] = useState<FieldErrors>({ byField: {}, general: [] });
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = async () => {
    try {
      setItems(await listAll<T>(p.path));
      setLoadError(null);
    } catch (e) {
      setLoadError(errorText(e));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    reload();
  }, [p.path]);

  const startNew = () => {
    setEditing(null);
    setDraft(p.empty());
    setErrors({ byField: {}, general: [] });
    setSaved(null);
  };
  const startEdit = (item: T) => {
    setEditing(item);
    setDraft(p.toDraft(item));
    setErrors({ byField: {}, general: [] });
    setSaved(null);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({ byField: {}, general: [] });
    setSaved(null);
    try {
      let result: T;
      if (editing) {
        const url = `${p.path}/${editing.id}`;
        const body = p.updateBody(draft, editing);
        result = p.updateMethod === 'PATCH' ? await api.patch<T>(url, body) : await api.put<T>(url, body);
        setSaved(`Saved ${p.noun} #${editing.id}.`);
      } else {
        result = await api.post<T>(p.path, p.createBody(draft));
        setSaved(`Created ${p.noun} #${result?.id ?? ''}.`);
      }
      await reload();
      if (result && typeof result === 'object' && 'id' in result) {
        setEditing(result);
        setDraft(p.toDraft(result));
      }
      p.onSaved?.();
    } catch (err) {
      if (err instanceof ApiError) setErrors(fieldErrors(err.problem));
      else setErrors({ byField: {}, general: [errorText(err)] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page admin" data-testid={`admin-${p.prefix}`}>
      <div class="page-head">
        <h1>{p.title}</h1>
        <button type="button" class="btn btn-primary" data-testid={`${p.prefix}-new`} onClick={startNew}>
          New {p.noun}
        </button>
      </div>
      {p.description ? <p class="muted">{p.description}</p> : null}
      <div class="admin-grid">
        <section class="card list-card">
          {loadError ? <ErrorBanner messages={[loadError]} testid="list-error" /> : null}
          <table class="grid" data-testid={`${p.prefix}-table`}>
            <thead>
              <tr>
                <th class="num">Id</th>
                {p.columns.map((c) => (
                  <th class={c.num ? 'num' : ''}>{c.label}</th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {!loading && items.length === 0 ? (
                <tr>
                  <td colSpan={p.columns.length + 2} class="muted">
                    Nothing yet.
                  </td>
                </tr>
              ) : null}
              {items.map((item) => (
                <tr data-testid={`${p.prefix}-row`} data-id={item.id} class={editing?.id === item.id ? 'selected' : ''}>
                  <td class="num">{item.id}</td>
                  {p.columns.map((c) => (
                    <td class={c.num ? 'num' : ''}>{c.render(item)}</td>
                  ))}
                  <td class="row-actions">
                    <button type="button" class="btn btn-sm" data-testid={`${p.prefix}-edit`} onClick={() => startEdit(item)}>
                      Edit
                    </button>
                    {p.rowActions?.(item, reload, (s) => setErrors({ byField: {}, general: s ? [s] : [] }))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card form-card">
          <h2 data-testid={`${p.prefix}-form-title`}>{editing ? `Edit ${p.noun} #${editing.id}` : `New ${p.noun}`}</h2>
          <form onSubmit={submit} data-testid={`${p.prefix}-form`} noValidate>
            <ErrorBanner messages={errors.general} />
            <Notice text={saved} kind="ok" testid="form-saved" />
            {p.renderForm(draft, setDraft, errors, editing)}
            <div class="actions">
              <button type="submit" class="btn btn-primary" data-testid={`${p.prefix}-save`} disabled={busy}>
                {editing ? 'Save changes' : `Create ${p.noun}`}
              </button>
              {editing ? (
                <button type="button" class="btn btn-ghost" onClick={startNew}>
                  Cancel
                </button>
              ) : null}
            </div>
          </form>
        </section>
      </div>
    </div>
  );
}

/** Lists used by form selects (skills, profiles, queues, agents). */
export function useList<T>(path: string, bump = 0): T[] {
  const [items, setItems] = useState<T[]>([]);
  useEffect(() => {
    listAll<T>(path)
      .then(setItems)
      .catch(() => setItems([]));
  }, [path, bump]);
  return items;
}

export function inputValue(e: Event): string {
  return (e.target as HTMLInputElement).value;
}

export function numValue(e: Event): number {
  const v = (e.target as HTMLInputElement).value;
  return v.trim() === '' ? Number.NaN : Number(v);
}

/** Shows NaN (a cleared number input) as empty. */
export function numShow(n: number | null | undefined): string {
  return n === null || n === undefined || Number.isNaN(n) ? '' : String(n);
}

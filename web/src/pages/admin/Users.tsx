import { api, errorText } from '../../api';
import { Field, fieldError } from '../../components';
import { defaultUserDraft, userCreateBody, userPatchBody, userToDraft, type UserDraft } from '../../logic/forms';
import { ROLES, type Agent, type Role, type User } from '../../types';
import { CrudPage, inputValue, useList } from './Crud';

export function UsersPage() {
  const agents = useList<Agent>('/api/v1/agents');
  const agentName = (id: number | null) => (id === null ? '—' : (agents.find((a) => a.id === id)?.name ?? `#${id}`));
  return (
    <CrudPage<User, UserDraft>
      title="Users"
      path="/api/v1/users"
      prefix="users"
      noun="user"
      description="Who may sign in, with which role. Agents must be linked to an agent record."
      columns={[
        { label: 'Username', render: (u) => u.username },
        { label: 'Name', render: (u) => u.display_name },
        { label: 'Role', render: (u) => <span class="badge badge-role">{u.role}</span> },
        { label: 'Agent', render: (u) => agentName(u.agent_id) },
        { label: 'Status', render: (u) => (u.disabled ? <span class="badge badge-offline">disabled</span> : <span class="badge badge-available">active</span>) },
      ]}
      empty={defaultUserDraft}
      toDraft={userToDraft}
      createBody={userCreateBody}
      updateBody={(d, before) => userPatchBody(before, d)}
      updateMethod="PATCH"
      rowActions={(u, reload, setError) =>
        u.disabled ? null : (
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            data-testid="users-disable"
            onClick={async () => {
              if (!confirm(`Disable ${u.username}? Their sessions and API keys are revoked.`)) return;
              try {
                await api.del(`/api/v1/users/${u.id}`);
                setError(null);
              } catch (e) {
                setError(errorText(e));
              }
              reload();
            }}
          >
            Disable
          </button>
        )
      }
      renderForm={(d, set, errors, editing) => (
        <div>
          <Field label="Username" name="username" error={fieldError(errors, 'username')}>
            <input data-testid="user-username" value={d.username} disabled={!!editing} autocomplete="off" onInput={(e) => set({ ...d, username: inputValue(e) })} />
          </Field>
          <Field label="Display name" name="display_name" error={fieldError(errors, 'display_name')}>
            <input data-testid="user-display-name" value={d.display_name} onInput={(e) => set({ ...d, display_name: inputValue(e) })} />
          </Field>
          <div class="form-row">
            <Field label="Role" name="role" error={fieldError(errors, 'role')}>
              <select data-testid="user-role" value={d.role} onChange={(e) => set({ ...d, role: inputValue(e) as Role })}>
                {ROLES.map((r) => (
                  <option value={r}>{r}</option>
                ))}
              </select>
            </Field>
            <Field label="Agent" name="agent_id" error={fieldError(errors, 'agent_id')}>
              <select
                data-testid="user-agent"
                value={d.agent_id ?? ''}
                onChange={(e) => {
                  const v = inputValue(e);
                  set({ ...d, agent_id: v === '' ? null : Number(v) });
                }}
              >
                <option value="">None</option>
                {agents.map((a) => (
                  <option value={a.id}>
                    {a.name} (#{a.id})
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <Field label={editing ? 'New password (blank keeps the current one)' : 'Password'} name="password" error={fieldError(errors, 'password')} hint="At least 10 characters">
            <input data-testid="user-password" type="password" autocomplete="new-password" value={d.password} onInput={(e) => set({ ...d, password: inputValue(e) })} />
          </Field>
          {editing ? (
            <label class="check">
              <input type="checkbox" data-testid="user-disabled" checked={d.disabled} onChange={(e) => set({ ...d, disabled: (e.target as HTMLInputElement).checked })} />
              Disabled
            </label>
          ) : null}
        </div>
      )}
    />
  );
}

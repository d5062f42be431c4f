import { Field, fieldError } from '../../components';
import { agentToDraft, defaultAgent, idFromSelect, withoutId, type AgentDraft } from '../../logic/forms';
import type { Agent, Profile, Queue, Skill } from '../../types';
import { CrudPage, inputValue, numShow, numValue, useList } from './Crud';

type Draft = AgentDraft;

export function AgentsPage() {
  const skills = useList<Skill>('/api/v1/skills');
  const profiles = useList<Profile>('/api/v1/profiles');
  const queues = useList<Queue>('/api/v1/queues');
  const nameOf = (list: { id: number; name: string }[], id: number) => list.find((x) => x.id === id)?.name ?? `#${id}`;
  return (
    <CrudPage<Agent, Draft>
      title="Agents"
      path="/api/v1/agents"
      prefix="agents"
      noun="agent"
      description="Agents receive contacts; link a user to an agent on the Users page."
      columns={[
        { label: 'Name', render: (a) => a.name },
        { label: 'Profile', render: (a) => nameOf(profiles, a.profile) },
        { label: 'Skills', render: (a) => (a.skills ?? []).map((s) => `${nameOf(skills, s.skill)} (${s.proficiency})`).join(', ') || '—' },
        { label: 'Queues', render: (a) => (a.queues ?? []).map((q) => `${nameOf(queues, q.queue)} (tier ${q.tier})`).join(', ') || '—' },
      ]}
      empty={() => ({ ...defaultAgent(), profile: profiles[0]?.id ?? null })}
      toDraft={agentToDraft}
      createBody={(d) => withoutId(d)}
      updateBody={(d) => withoutId(d)}
      renderForm={(d, set, errors) => (
        <div>
          <Field label="Name" name="name" error={fieldError(errors, 'name')}>
            <input data-testid="agent-name" value={d.name} onInput={(e) => set({ ...d, name: inputValue(e) })} />
          </Field>
          <Field label="Routing profile" name="profile" error={fieldError(errors, 'profile')}>
            <select data-testid="agent-profile" value={d.profile ?? ''} onChange={(e) => set({ ...d, profile: idFromSelect(inputValue(e)) })}>
              <option value="">Choose…</option>
              {profiles.map((p) => (
                <option value={p.id}>{p.name}</option>
              ))}
            </select>
          </Field>
          <fieldset class="fieldset">
            <legend>Skills</legend>
            {d.skills.map((s, i) => (
              <div class="form-row row-editor" data-testid="agent-skill-row">
                <Field label="Skill" error={fieldError(errors, `skills[${i}].skill`)}>
                  <select value={s.skill ?? ''} onChange={(e) => set({ ...d, skills: d.skills.map((x, j) => (j === i ? { ...x, skill: idFromSelect(inputValue(e)) } : x)) })}>
                    <option value="">Choose…</option>
                    {skills.map((k) => (
                      <option value={k.id}>{k.name}</option>
                    ))}
                  </select>
                </Field>
                <Field label="Proficiency" error={fieldError(errors, `skills[${i}].proficiency`)}>
                  <input type="number" min="0" value={numShow(s.proficiency)} onInput={(e) => set({ ...d, skills: d.skills.map((x, j) => (j === i ? { ...x, proficiency: numValue(e) } : x)) })} />
                </Field>
                <button type="button" class="btn btn-sm btn-ghost" onClick={() => set({ ...d, skills: d.skills.filter((_, j) => j !== i) })}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" class="btn btn-sm" data-testid="agent-add-skill" onClick={() => set({ ...d, skills: [...d.skills, { skill: skills[0]?.id ?? null, proficiency: 5 }] })}>
              Add skill
            </button>
          </fieldset>
          <fieldset class="fieldset">
            <legend>Queues</legend>
            {d.queues.map((q, i) => (
              <div class="form-row row-editor" data-testid="agent-queue-row">
                <Field label="Queue" error={fieldError(errors, `queues[${i}].queue`)}>
                  <select value={q.queue ?? ''} onChange={(e) => set({ ...d, queues: d.queues.map((x, j) => (j === i ? { ...x, queue: idFromSelect(inputValue(e)) } : x)) })}>
                    <option value="">Choose…</option>
                    {queues.map((k) => (
                      <option value={k.id}>{k.name}</option>
                    ))}
                  </select>
                </Field>
                <Field label="Tier" error={fieldError(errors, `queues[${i}].tier`)}>
                  <input type="number" min="0" value={numShow(q.tier)} onInput={(e) => set({ ...d, queues: d.queues.map((x, j) => (j === i ? { ...x, tier: numValue(e) } : x)) })} />
                </Field>
                <button type="button" class="btn btn-sm btn-ghost" onClick={() => set({ ...d, queues: d.queues.filter((_, j) => j !== i) })}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" class="btn btn-sm" data-testid="agent-add-queue" onClick={() => set({ ...d, queues: [...d.queues, { queue: queues[0]?.id ?? null, tier: 1 }] })}>
              Add queue
            </button>
          </fieldset>
        </div>
      )}
    />
  );
}

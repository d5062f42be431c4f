import { Field, fieldError } from '../../components';
import { defaultSkill, withoutId } from '../../logic/forms';
import type { Skill } from '../../types';
import { CrudPage, inputValue } from './Crud';

export function SkillsPage() {
  return (
    <CrudPage<Skill, Omit<Skill, 'id'> & { id?: number }>
      title="Skills"
      path="/api/v1/skills"
      prefix="skills"
      noun="skill"
      description="Skills describe what an agent can handle; queues and contacts require them."
      columns={[{ label: 'Name', render: (s) => s.name }]}
      empty={defaultSkill}
      toDraft={(s) => ({ ...s })}
      createBody={(d) => withoutId(d)}
      updateBody={(d) => withoutId(d)}
      renderForm={(d, set, errors) => (
        <Field label="Name" name="name" error={fieldError(errors, 'name')}>
          <input data-testid="skill-name" value={d.name} onInput={(e) => set({ ...d, name: inputValue(e) })} />
        </Field>
      )}
    />
  );
}

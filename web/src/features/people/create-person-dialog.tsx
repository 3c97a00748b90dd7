import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.ts';
import { FieldError, fieldError, ProblemAlert, useAppNavigate } from '../../app/ui.tsx';
import type { Person } from './types.ts';

const FIELDS = ['email', 'lastName', 'firstName', 'lastNameKana', 'firstNameKana', 'company', 'department', 'title', 'phone'] as const;

/** A modal form that upserts a person by e-mail and opens their lead page. */
export function CreatePersonDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const navigate = useAppNavigate();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<string, string>>({});

  useEffect(() => {
    ref.current?.showModal();
  }, []);

  const create = useMutation({
    mutationFn: (body: Record<string, string>) => api<Person>('/api/v1/people', { method: 'POST', body }),
    onSuccess: async (person) => {
      await queryClient.invalidateQueries({ queryKey: ['people'] });
      ref.current?.close();
      onClose();
      navigate(`/people/${person.id}`);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''));
    create.mutate(body);
  }

  const hasFieldErrors = FIELDS.some((f) => fieldError(create.error, f));
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="create-person-title">
      <form onSubmit={submit} noValidate>
        <h2 id="create-person-title">{t('people.createTitle')}</h2>
        {!hasFieldErrors && <ProblemAlert error={create.error} />}
        <div className="form-grid">
          {FIELDS.map((f) => (
            <div className="form-row" key={f}>
              <label>
                {t(`people.field.${f}`)}
                <input
                  name={f}
                  type={f === 'email' ? 'email' : 'text'}
                  required={f === 'email'}
                  value={values[f] ?? ''}
                  aria-invalid={Boolean(fieldError(create.error, f))}
                  onChange={(e) => setValues({ ...values, [f]: e.target.value })}
                />
              </label>
              <FieldError error={create.error} path={f} />
            </div>
          ))}
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => ref.current?.close()}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn-primary" disabled={create.isPending}>
            {t('common.create')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

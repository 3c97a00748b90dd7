import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.ts';
import { useCan } from '../../app/session.tsx';
import { FieldError, fieldError, formatDateTime, ProblemAlert } from '../../app/ui.tsx';
import type { Person } from './types.ts';

const TEXT_FIELDS = [
  'lastName',
  'firstName',
  'lastNameKana',
  'firstNameKana',
  'email',
  'company',
  'department',
  'title',
  'phone',
  'industry',
  'employeeCount',
  'prefecture',
  'country',
] as const;
type EditableField = (typeof TEXT_FIELDS)[number];

const asText = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** The changed fields only: blank text becomes null, the employee count a number when it is one. */
function changesOf(person: Person, draft: Record<EditableField, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of TEXT_FIELDS) {
    const value = draft[f].trim();
    if (value === asText(person[f])) continue;
    if (f === 'employeeCount') body[f] = value === '' ? null : /^-?\d+$/.test(value) ? Number(value) : value;
    else body[f] = value === '' && f !== 'email' ? null : value;
  }
  return body;
}

/** The lead's details, read-only or as a form; server validation errors appear beside each field. */
export function PersonFields({ person }: { person: Person }) {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('people:write');
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const [draft, setDraft] = useState<Record<EditableField, string>>(() => initialDraft(person));

  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<Person>(`/api/v1/people/${person.id}`, { method: 'PATCH', body }),
    onSuccess: (p) => {
      queryClient.setQueryData(['person', person.id], p);
      void queryClient.invalidateQueries({ queryKey: ['timeline', person.id] });
      setEditing(false);
      setSaved(true);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = changesOf(person, draft);
    if (Object.keys(body).length === 0) {
      setEditing(false);
      return;
    }
    save.mutate(body);
  }

  if (!editing) {
    return (
      <section className="card" aria-label={t('people.lead.fields')}>
        <div className="card-header">
          <h2>{t('people.lead.fields')}</h2>
          {canWrite && (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => {
                setDraft(initialDraft(person));
                save.reset();
                setSaved(false);
                setEditing(true);
              }}
            >
              {t('people.lead.edit')}
            </button>
          )}
        </div>
        {saved && (
          <div className="alert alert-success" role="status">
            {t('people.lead.saved')}
          </div>
        )}
        <dl className="kv" data-testid="person-fields">
          {TEXT_FIELDS.map((f) => (
            <div key={f} style={{ display: 'contents' }}>
              <dt>{t(`people.field.${f}`)}</dt>
              <dd data-field={f}>{asText(person[f]) || <span className="muted">—</span>}</dd>
            </div>
          ))}
          <dt>{t('people.field.source')}</dt>
          <dd>{[person.channel, person.source].filter(Boolean).join(' / ') || <span className="muted">—</span>}</dd>
          <dt>{t('people.field.consent')}</dt>
          <dd>
            {person.consent ? t('common.yes') : t('common.no')}
            {person.unsubscribedAt && <span className="badge badge-warn"> {t('people.field.unsubscribed')}</span>}
            {person.bouncedAt && <span className="badge badge-danger"> {t('people.field.bounced')}</span>}
          </dd>
          <dt>{t('people.field.createdAt')}</dt>
          <dd>{formatDateTime(person.createdAt, i18n.language)}</dd>
          <dt>{t('people.field.updatedAt')}</dt>
          <dd>{formatDateTime(person.updatedAt, i18n.language)}</dd>
        </dl>
      </section>
    );
  }

  const unplaced = save.error && !TEXT_FIELDS.some((f) => fieldError(save.error, f));
  return (
    <section className="card" aria-label={t('people.lead.fields')}>
      <form onSubmit={submit} noValidate data-testid="person-form">
        <div className="card-header">
          <h2>{t('people.lead.fields')}</h2>
        </div>
        {unplaced && <ProblemAlert error={save.error} />}
        <div className="form-grid">
          {TEXT_FIELDS.map((f) => (
            <div className="form-row" key={f}>
              <label>
                {t(`people.field.${f}`)}
                <input
                  name={f}
                  inputMode={f === 'employeeCount' ? 'numeric' : undefined}
                  value={draft[f]}
                  aria-invalid={Boolean(fieldError(save.error, f))}
                  onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
                />
              </label>
              <FieldError error={save.error} path={f} />
            </div>
          ))}
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => setEditing(false)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn-primary" disabled={save.isPending}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </section>
  );
}

function initialDraft(p: Person): Record<EditableField, string> {
  return Object.fromEntries(TEXT_FIELDS.map((f) => [f, asText(p[f])])) as Record<EditableField, string>;
}

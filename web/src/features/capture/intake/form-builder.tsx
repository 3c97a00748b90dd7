import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, FieldError, ProblemAlert, useAppNavigate } from '../../../app/ui.tsx';
import { FieldEditor } from './field-editor.tsx';
import { FormPreview } from './form-preview.tsx';
import { SubmissionsTable } from './submissions-table.tsx';
import { CHANNELS, emptyDraft, type FormDraft, type FormView, STANDARD_FIELDS } from './types.ts';

const draftOf = (f: FormView): FormDraft => ({
  name: f.name,
  description: f.description,
  fields: f.fields,
  campaignId: f.campaignId,
  channel: f.channel,
  consentText: f.consentText,
  consentRequired: f.consentRequired,
  submitLabel: f.submitLabel,
  thankYouMessage: f.thankYouMessage,
  redirectUrl: f.redirectUrl,
  minFillSeconds: f.minFillSeconds,
});

const orNull = (s: string) => (s.trim() ? s : null);

/** /forms/new and /forms/$id: the builder with a live preview, the embed code, and the submissions. */
export function FormBuilderPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams({ strict: false }) as { id?: string };
  const isNew = !id;
  const canEdit = useCan('forms:write');
  const qc = useQueryClient();
  const navigate = useAppNavigate();
  const form = useQuery({
    queryKey: ['form', id],
    queryFn: () => api<FormView>(`/api/v1/forms/${id}`),
    enabled: !isNew,
  });
  const campaigns = useQuery({
    queryKey: ['campaigns-for-forms'],
    queryFn: () => api<{ items: { id: string; name: string }[] }>('/api/v1/campaigns'),
    retry: false,
  });
  const [draft, setDraft] = useState<FormDraft | null>(isNew ? emptyDraft(i18n.language) : null);
  const [tab, setTab] = useState<'build' | 'submissions'>('build');
  const [notice, setNotice] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  useEffect(() => {
    if (form.data && draft === null) setDraft(draftOf(form.data));
  }, [form.data, draft]);

  const save = useMutation({
    mutationFn: (d: FormDraft) =>
      isNew
        ? api<FormView>('/api/v1/forms', { method: 'POST', body: d })
        : api<FormView>(`/api/v1/forms/${id}`, { method: 'PUT', body: d }),
    onSuccess: (saved) => {
      setNotice(isNew ? t('forms.created') : t('common.saved'));
      qc.setQueryData(['form', saved.id], saved);
      void qc.invalidateQueries({ queryKey: ['forms'] });
      if (isNew) navigate(`/forms/${saved.id}`, undefined, { replace: true });
      else setDraft(draftOf(saved));
    },
    onError: () => setNotice(null),
  });
  const archive = useMutation({
    mutationFn: () => api(`/api/v1/forms/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['forms'] });
      navigate('/forms');
    },
  });

  if (form.error) return <ProblemAlert error={form.error} />;
  if (!draft) return <p className="loading">{t('common.loading')}</p>;
  const disabled = !canEdit;
  const set = (patch: Partial<FormDraft>) => setDraft({ ...draft, ...patch });
  const fieldErr = (i: number) =>
    save.error instanceof ApiError
      ? save.error.errors.find((e) => e.path.startsWith(`fields[${i}]`) || e.path.startsWith(`fields.${i}.`))
          ?.message
      : undefined;
  const copy = (label: string, text: string) => {
    void navigator.clipboard?.writeText(text).catch(() => undefined);
    setCopied(label);
  };
  const addStandard = (key: string) => {
    const std = STANDARD_FIELDS.find((f) => f.key === key);
    if (!std || draft.fields.some((f) => f.key === key)) return;
    const { en, ...field } = std;
    set({
      fields: [...draft.fields, { ...field, label: i18n.language.startsWith('ja') ? field.label : en }],
    });
  };
  const addCustom = () => {
    let n = 1;
    while (draft.fields.some((f) => f.key === `question${n}`)) n++;
    set({ fields: [...draft.fields, { key: `question${n}`, label: '', type: 'text' }] });
  };
  const move = (i: number, delta: number) => {
    const fields = [...draft.fields];
    const [f] = fields.splice(i, 1);
    fields.splice(i + delta, 0, f);
    set({ fields });
  };

  return (
    <div className="page intake-builder">
      <div className="breadcrumb">
        <AppLink to="/forms">{t('forms.back')}</AppLink>
      </div>
      <div className="page-header">
        <h1>{isNew ? t('forms.newTitle') : form.data?.name}</h1>
        <div className="page-actions">
          {!isNew && canEdit && (
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => window.confirm(t('forms.archiveConfirm')) && archive.mutate()}
            >
              {t('forms.archive')}
            </button>
          )}
        </div>
      </div>
      {!isNew && (
        <div className="tabs" role="tablist">
          {(['build', 'submissions'] as const).map((x) => (
            <button
              key={x}
              type="button"
              role="tab"
              className={`tab${tab === x ? ' active' : ''}`}
              aria-selected={tab === x}
              onClick={() => setTab(x)}
            >
              {t(`forms.tab.${x}`)}
              {x === 'submissions' && form.data?.submissionCount !== undefined
                ? ` (${form.data.submissionCount})`
                : ''}
            </button>
          ))}
        </div>
      )}
      {tab === 'submissions' && id ? (
        <SubmissionsTable formId={id} />
      ) : (
        <div className="grid-sidebar">
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(draft);
            }}
          >
            {disabled && <div className="alert alert-warn">{t('forms.readOnly')}</div>}
            {notice && (
              <div className="alert alert-success" role="status">
                {notice}
              </div>
            )}
            <ProblemAlert error={save.error} />
            <section className="card">
              <h2>{t('forms.settings')}</h2>
              <div className="form-grid">
                <label className="form-row">
                  <span>{t('forms.name')}</span>
                  <input
                    name="name"
                    required
                    value={draft.name}
                    disabled={disabled}
                    onChange={(e) => set({ name: e.target.value })}
                  />
                  <FieldError error={save.error} path="name" />
                </label>
                <label className="form-row">
                  <span>{t('forms.campaign')}</span>
                  <select
                    name="campaignId"
                    value={draft.campaignId ?? ''}
                    disabled={disabled}
                    onChange={(e) => set({ campaignId: e.target.value || null })}
                  >
                    <option value="">{t('common.none')}</option>
                    {(campaigns.data?.items ?? []).map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                  <FieldError error={save.error} path="campaignId" />
                </label>
                <label className="form-row">
                  <span>{t('forms.channel')}</span>
                  <select
                    name="channel"
                    value={draft.channel ?? ''}
                    disabled={disabled}
                    onChange={(e) => set({ channel: e.target.value || null })}
                  >
                    <option value="">{t('forms.channel.auto')}</option>
                    {CHANNELS.map((c) => (
                      <option key={c} value={c}>
                        {t(`forms.ch.${c}`)}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <label className="form-row">
                <span>{t('forms.description')}</span>
                <textarea
                  rows={2}
                  value={draft.description ?? ''}
                  disabled={disabled}
                  onChange={(e) => set({ description: orNull(e.target.value) })}
                />
              </label>
            </section>
            <section className="card">
              <h2>{t('forms.fields')}</h2>
              <FieldError error={save.error} path="fields" />
              <div className="stack">
                {draft.fields.map((f, i) => (
                  <FieldEditor
                    // biome-ignore lint/suspicious/noArrayIndexKey: keys are editable; the position is the identity while editing
                    key={i}
                    field={f}
                    index={i}
                    count={draft.fields.length}
                    error={fieldErr(i)}
                    disabled={disabled}
                    onChange={(nf) => set({ fields: draft.fields.map((x, j) => (j === i ? nf : x)) })}
                    onMove={(d) => move(i, d)}
                    onRemove={() => set({ fields: draft.fields.filter((_, j) => j !== i) })}
                  />
                ))}
              </div>
              {!disabled && (
                <div className="row intake-add">
                  <select
                    aria-label={t('forms.addStandard')}
                    value=""
                    onChange={(e) => addStandard(e.target.value)}
                    data-testid="add-standard"
                  >
                    <option value="">{t('forms.addStandard')}</option>
                    {STANDARD_FIELDS.filter((s) => !draft.fields.some((f) => f.key === s.key)).map((s) => (
                      <option key={s.key} value={s.key}>
                        {i18n.language.startsWith('ja') ? s.label : s.en}
                      </option>
                    ))}
                  </select>
                  <button type="button" className="btn" onClick={addCustom}>
                    {t('forms.addCustom')}
                  </button>
                </div>
              )}
            </section>
            <section className="card">
              <h2>{t('forms.consent')}</h2>
              <label className="form-row">
                <span>{t('forms.consentText')}</span>
                <textarea
                  name="consentText"
                  rows={2}
                  value={draft.consentText ?? ''}
                  disabled={disabled}
                  onChange={(e) => set({ consentText: orNull(e.target.value) })}
                />
              </label>
              <label className="row">
                <input
                  type="checkbox"
                  checked={draft.consentRequired}
                  disabled={disabled}
                  onChange={(e) => set({ consentRequired: e.target.checked })}
                />
                {t('forms.consentRequired')}
              </label>
            </section>
            <section className="card">
              <h2>{t('forms.after')}</h2>
              <div className="form-grid">
                <label className="form-row">
                  <span>{t('forms.submitLabel')}</span>
                  <input
                    value={draft.submitLabel ?? ''}
                    placeholder={t('forms.submitDefault')}
                    disabled={disabled}
                    onChange={(e) => set({ submitLabel: orNull(e.target.value) })}
                  />
                </label>
                <label className="form-row">
                  <span>{t('forms.minFill')}</span>
                  <input
                    type="number"
                    min={0}
                    max={600}
                    value={draft.minFillSeconds}
                    disabled={disabled}
                    onChange={(e) => set({ minFillSeconds: Number(e.target.value) || 0 })}
                  />
                </label>
              </div>
              <label className="form-row">
                <span>{t('forms.thankYou')}</span>
                <textarea
                  name="thankYouMessage"
                  rows={2}
                  value={draft.thankYouMessage ?? ''}
                  disabled={disabled}
                  onChange={(e) => set({ thankYouMessage: orNull(e.target.value) })}
                />
              </label>
              <label className="form-row">
                <span>{t('forms.redirect')}</span>
                <input
                  name="redirectUrl"
                  type="url"
                  placeholder="https://"
                  value={draft.redirectUrl ?? ''}
                  disabled={disabled}
                  onChange={(e) => set({ redirectUrl: orNull(e.target.value) })}
                />
                <FieldError error={save.error} path="redirectUrl" />
              </label>
            </section>
            {canEdit && (
              <div className="form-actions">
                <button type="submit" className="btn-primary" disabled={save.isPending}>
                  {t('forms.saveForm')}
                </button>
              </div>
            )}
          </form>
          <aside className="stack">
            <section className="card">
              <h2>{t('forms.preview')}</h2>
              <FormPreview draft={draft} />
            </section>
            {form.data && (
              <section className="card" data-testid="embed-codes">
                <h2>{t('forms.embed')}</h2>
                <p className="muted">{t('forms.embedHelp')}</p>
                <div className="copy-field">
                  <code data-testid="embed-code">{form.data.embedCode}</code>
                  <button type="button" className="btn" onClick={() => copy('embed', form.data.embedCode)}>
                    {copied === 'embed' ? t('common.copied') : t('common.copy')}
                  </button>
                </div>
                <p className="muted">{t('forms.trackerHelp')}</p>
                <div className="copy-field">
                  <code data-testid="tracker-code">{form.data.trackerCode}</code>
                  <button
                    type="button"
                    className="btn"
                    onClick={() => copy('tracker', form.data.trackerCode)}
                  >
                    {copied === 'tracker' ? t('common.copied') : t('common.copy')}
                  </button>
                </div>
                <p className="muted">{t('forms.hosted')}</p>
                <div className="copy-field">
                  <a
                    href={form.data.hostedUrl}
                    target="_blank"
                    rel="noreferrer"
                    className="mono"
                    data-testid="hosted-url"
                  >
                    {form.data.hostedUrl}
                  </a>
                </div>
              </section>
            )}
          </aside>
        </div>
      )}
    </div>
  );
}

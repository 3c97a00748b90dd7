import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, FieldError, formatDateTime, ProblemAlert } from '../../../app/ui.tsx';
import type { OutcomeImport, OutcomeResult } from './types.ts';

/** /pipeline/outcomes: upload an SFA export of won/lost deals; see what was updated and which rows matched nothing. */
export function OutcomesPage() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const canImport = useCan('opportunities:import');
  const file = useRef<HTMLInputElement>(null);
  const history = useQuery({
    queryKey: ['outcome-imports'],
    queryFn: () => api<{ items: OutcomeImport[] }>('/api/v1/opportunities/outcomes/imports'),
  });
  const upload = useMutation({
    mutationFn: () => {
      const form = new FormData();
      const f = file.current?.files?.[0];
      if (f) form.append('file', f);
      return api<OutcomeResult>('/api/v1/opportunities/outcomes/import', { method: 'POST', body: form });
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['outcome-imports'] });
      await qc.invalidateQueries({ queryKey: ['opportunities'] });
      await qc.invalidateQueries({ queryKey: ['pipeline'] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    upload.mutate();
  }
  const r = upload.data;
  return (
    <div className="page">
      <div className="breadcrumb">
        <AppLink to="/pipeline">{t('pipeline.back')}</AppLink>
      </div>
      <div className="page-header">
        <h1>{t('outcomes.title')}</h1>
      </div>
      <p className="muted">{t('outcomes.help')}</p>
      {canImport && (
        <form className="card stack" onSubmit={submit}>
          <label>
            {t('outcomes.file')}
            <input ref={file} type="file" name="file" accept=".csv,text/csv" />
          </label>
          <FieldError error={upload.error} path="file" />
          <ProblemAlert error={upload.error} />
          <div className="form-actions">
            <button type="submit" className="btn-primary" disabled={upload.isPending}>
              {t('outcomes.upload')}
            </button>
          </div>
        </form>
      )}
      {r && (
        <section className="card" data-testid="outcome-result">
          <p className="alert alert-success" role="status">
            {t('outcomes.result', { ...r, problems: r.problems.length })}
          </p>
          {r.problems.length > 0 && <Problems problems={r.problems} />}
        </section>
      )}
      <section className="card">
        <h2>{t('outcomes.history')}</h2>
        <table className="table">
          <thead>
            <tr>
              <th>{t('outcomes.when')}</th>
              <th>{t('outcomes.file')}</th>
              <th>{t('outcomes.by')}</th>
              <th>{t('common.total')}</th>
            </tr>
          </thead>
          <tbody>
            {(history.data?.items ?? []).map((h) => (
              <tr key={h.id}>
                <td>{formatDateTime(h.createdAt, i18n.language)}</td>
                <td>{h.filename ?? h.source}</td>
                <td>{h.createdBy ?? ''}</td>
                <td>{t('outcomes.result', { ...h, problems: h.problems.length })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function Problems({ problems }: { problems: OutcomeResult['problems'] }) {
  const { t } = useTranslation();
  return (
    <>
      <h3>{t('outcomes.problems')}</h3>
      <table className="table" data-testid="outcome-problems">
        <thead>
          <tr>
            <th>{t('outcomes.row')}</th>
            <th>externalId</th>
            <th>email</th>
            <th>{t('outcomes.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p) => (
            <tr key={p.row}>
              <td>{p.row}</td>
              <td>{p.externalId ?? ''}</td>
              <td>{p.email ?? ''}</td>
              <td>{p.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { AppLink, formatDateTime, formatNumber, ProblemAlert, useAppNavigate } from '../../../app/ui.tsx';
import type { ImportPreview, ImportRecord } from './types.ts';

const SAMPLE_BYTES = 1024 * 1024;
const STATUSES = ['attended', 'registered', 'invited', 'member', 'no_show'] as const;

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One select per CSV column: a field, a custom field (with its name) or "do not import". */
function TargetSelect({
  value,
  fields,
  onChange,
  label,
}: {
  value: string;
  fields: string[];
  onChange: (v: string) => void;
  label: string;
}) {
  const { t } = useTranslation();
  const custom = value.startsWith('custom:');
  return (
    <div className="row">
      <select
        aria-label={label}
        value={custom ? 'custom' : value}
        onChange={(e) =>
          onChange(
            e.target.value === 'custom'
              ? `custom:${label.replace(/[^\w\-.\p{L}\p{N}]/gu, '').slice(0, 64) || 'field'}`
              : e.target.value,
          )
        }
      >
        <option value="skip">{t('imports.field.skip')}</option>
        {fields.map((f) => (
          <option key={f} value={f}>
            {t(`imports.field.${f}`)}
          </option>
        ))}
        <option value="custom">{t('imports.field.custom')}</option>
      </select>
      {custom && (
        <input
          aria-label={t('imports.customKey')}
          value={value.slice(7)}
          maxLength={64}
          onChange={(e) => onChange(`custom:${e.target.value.replace(/[^\w\-.\p{L}\p{N}]/gu, '')}`)}
        />
      )}
    </div>
  );
}

/** /imports: the import wizard (file, mapping, run) beside the import history. */
export function ImportPage() {
  const { t, i18n } = useTranslation();
  const navigate = useAppNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState('auto');
  const [mapping, setMapping] = useState<string[] | null>(null);
  const [campaign, setCampaign] = useState('');
  const [status, setStatus] = useState<string>('attended');
  const [dryRun, setDryRun] = useState(false);

  const previewRequest = (f: File, enc: string, map: string[] | null) => {
    const form = new FormData();
    form.set('encoding', enc);
    form.set('partial', String(f.size > SAMPLE_BYTES));
    if (map) form.set('mapping', JSON.stringify(Object.fromEntries(map.map((m, i) => [String(i + 1), m]))));
    form.set('file', f.slice(0, SAMPLE_BYTES), f.name);
    return api<ImportPreview>('/api/v1/imports/preview', { method: 'POST', body: form });
  };
  // The last good preview stays on screen while a changed mapping is re-checked.
  const [p, setPreview] = useState<ImportPreview | null>(null);
  const preview = useMutation({
    mutationFn: (a: { f: File; enc: string; map: string[] | null }) => previewRequest(a.f, a.enc, a.map),
    onSuccess: (data) => setPreview(data),
  });
  const history = useQuery({
    queryKey: ['imports'],
    queryFn: () => api<{ items: ImportRecord[] }>('/api/v1/imports?limit=15'),
  });

  useEffect(() => {
    if (p && mapping === null) setMapping(p.mapping);
  }, [p, mapping]);

  const choose = (f: File | null) => {
    setFile(f);
    setMapping(null);
    setPreview(null);
    preview.reset();
    if (f) preview.mutate({ f, enc: encoding, map: null });
  };
  const changeEncoding = (enc: string) => {
    setEncoding(enc);
    if (file) preview.mutate({ f: file, enc, map: mapping });
  };
  const changeTarget = (i: number, v: string) => {
    if (!mapping || !file) return;
    const next = mapping.map((m, j) =>
      j === i ? v : m !== 'skip' && !m.startsWith('custom:') && m === v ? 'skip' : m,
    );
    setMapping(next);
    preview.mutate({ f: file, enc: encoding, map: next });
  };

  const start = useMutation({
    mutationFn: () => {
      const form = new FormData();
      form.set('encoding', encoding);
      if (mapping)
        form.set('mapping', JSON.stringify(Object.fromEntries(mapping.map((m, i) => [String(i + 1), m]))));
      if (dryRun) form.set('dryRun', 'true');
      if (campaign.trim()) {
        form.set('campaign', campaign.trim());
        form.set('campaignStatus', status);
      }
      form.set('file', file as File, (file as File).name);
      return api<ImportRecord>('/api/v1/imports', { method: 'POST', body: form });
    },
    onSuccess: (r) => navigate(`/imports/${r.id}`),
  });

  const hasEmail = (mapping ?? []).includes('email');
  return (
    <div className="page imports-page">
      <div className="page-header">
        <h1>{t('imports.title')}</h1>
        <p className="subtitle">{t('imports.subtitle')}</p>
      </div>
      <div className="grid-sidebar">
        <div className="stack">
          <section className="card">
            <h2>{t('imports.step.file')}</h2>
            <div className="form-grid">
              <label className="form-row">
                <span>{t('imports.file')}</span>
                <input
                  type="file"
                  name="file"
                  accept=".csv,.txt,text/csv"
                  onChange={(e) => choose(e.target.files?.[0] ?? null)}
                />
              </label>
              <label className="form-row">
                <span>{t('imports.encoding')}</span>
                <select name="encoding" value={encoding} onChange={(e) => changeEncoding(e.target.value)}>
                  {['auto', 'utf8', 'sjis'].map((e) => (
                    <option key={e} value={e}>
                      {t(`imports.encoding.${e}`)}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            {file && (
              <p className="muted">
                {t('imports.fileInfo', { name: file.name, size: humanSize(file.size) })}
              </p>
            )}
            {p && (
              <p data-testid="detected-encoding">
                <span className="badge">{t('imports.detected', { label: p.encodingLabel })}</span>
              </p>
            )}
            <ProblemAlert error={preview.error} />
          </section>

          {p && mapping && (
            <section className="card flush">
              <div className="card-header">
                <h2>{t('imports.step.mapping')}</h2>
                <span className="muted">{t('imports.mappingHelp')}</span>
              </div>
              <div className="table-wrap">
                <table className="table" data-testid="mapping-table">
                  <thead>
                    <tr>
                      <th>{t('imports.column')}</th>
                      <th>{t('imports.sample')}</th>
                      <th>{t('imports.target')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.headers.map((h, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: CSV columns, rows and issues are identified by their position
                      <tr key={`${i}-${h}`} data-column={h}>
                        <td>{h}</td>
                        <td className="muted imports-sample">{p.rows[0]?.[i] ?? ''}</td>
                        <td>
                          <TargetSelect
                            value={mapping[i] ?? 'skip'}
                            fields={p.fields}
                            label={h}
                            onChange={(v) => changeTarget(i, v)}
                          />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {!hasEmail && (
                <div className="alert alert-warn" role="alert">
                  {t('imports.noEmail')}
                </div>
              )}
              <h3 className="imports-subhead">{t('imports.preview', { count: p.rows.length })}</h3>
              <div className="table-wrap imports-preview">
                <table className="table">
                  <thead>
                    <tr>
                      <th className="num">{t('imports.row')}</th>
                      {p.headers.map((h, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: CSV columns, rows and issues are identified by their position
                        <th key={`${i}-${h}`} className={mapping[i] === 'skip' ? 'muted' : undefined}>
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {p.rows
                      .map((r, ri) => ({ r, row: ri + 2 }))
                      .map(({ r, row }) => (
                        <tr
                          key={row}
                          className={
                            p.issues.some((x) => x.row === row && x.level === 'error')
                              ? 'imports-bad-row'
                              : undefined
                          }
                        >
                          <td className="num">{row}</td>
                          {p.headers.map((_, ci) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: CSV columns, rows and issues are identified by their position
                            <td key={ci}>{r[ci] ?? ''}</td>
                          ))}
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
              {p.issues.length > 0 && (
                <div className="imports-issues">
                  <h3 className="imports-subhead">{t('imports.previewIssues')}</h3>
                  <ul>
                    {p.issues.map((x, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: CSV columns, rows and issues are identified by their position
                      <li key={i}>
                        {t('imports.row')} {x.row}
                        {x.column ? ` [${x.column}]` : ''}: {t(`imports.level.${x.level}`)} — {x.message}
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </section>
          )}

          {p && mapping && (
            <section className="card">
              <h2>{t('imports.step.run')}</h2>
              <div className="form-grid">
                <label className="form-row">
                  <span>{t('imports.campaign')}</span>
                  <input
                    name="campaign"
                    value={campaign}
                    maxLength={200}
                    placeholder={t('imports.campaignHint')}
                    onChange={(e) => setCampaign(e.target.value)}
                  />
                </label>
                <label className="form-row">
                  <span>{t('imports.status')}</span>
                  <select
                    name="campaignStatus"
                    value={status}
                    disabled={!campaign.trim()}
                    onChange={(e) => setStatus(e.target.value)}
                  >
                    {STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {t(`imports.status.${s}`)}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <label className="row">
                <input
                  type="checkbox"
                  name="dryRun"
                  checked={dryRun}
                  onChange={(e) => setDryRun(e.target.checked)}
                />
                {t('imports.dryRun')}
              </label>
              <div className="form-actions">
                <button
                  type="button"
                  className="btn btn-primary"
                  data-testid="start-import"
                  disabled={!hasEmail || start.isPending}
                  onClick={() => start.mutate()}
                >
                  {start.isPending ? t('imports.uploading') : t('imports.run')}
                </button>
              </div>
              <ProblemAlert error={start.error} />
            </section>
          )}
        </div>

        <section className="card">
          <h2>{t('imports.history')}</h2>
          {history.data && history.data.items.length === 0 && (
            <p className="muted">{t('imports.noHistory')}</p>
          )}
          <ul className="imports-history">
            {history.data?.items.map((r) => (
              <li key={r.id}>
                <AppLink to={`/imports/${r.id}`}>{r.fileName}</AppLink>{' '}
                <span
                  className={`badge ${r.status === 'failed' ? 'badge-danger' : r.status === 'completed' ? 'badge-success' : 'badge-muted'}`}
                >
                  {t(`imports.state.${r.status}`)}
                </span>
                {r.dryRun && <span className="badge badge-muted">{t('imports.dryRunBadge')}</span>}
                <div className="muted">
                  {formatDateTime(r.createdAt, i18n.language)} · {t('imports.count.created')}{' '}
                  {formatNumber(r.counts.created, i18n.language)} · {t('imports.count.updated')}{' '}
                  {formatNumber(r.counts.updated, i18n.language)} · {t('imports.count.invalid')}{' '}
                  {formatNumber(r.counts.invalid, i18n.language)}
                </div>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}

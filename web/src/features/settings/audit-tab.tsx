import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../app/api.ts';
import { AppLink, formatDateTime, Pager, ProblemAlert } from '../../app/ui.tsx';

interface AuditEntry {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  changes: Record<string, [unknown, unknown]> | null;
  meta: Record<string, unknown> | null;
}

const ENTITY_TYPES = ['person', 'user', 'api_key', 'account', 'scoring_rules', 'campaign', 'scenario', 'form', 'webhook'];
const show = (v: unknown) => (v === null || v === undefined || v === '' ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Who did what, when, with the before and after of every changed field. Admin only. */
export function AuditTab() {
  const { t, i18n } = useTranslation();
  const [entityType, setEntityType] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const log = useQuery({
    queryKey: ['audit-log', entityType, cursor],
    queryFn: () => api<{ items: AuditEntry[]; nextCursor: string | null }>(`/api/v1/audit-log${qs({ limit: 50, entityType, cursor })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <div>
      <div className="toolbar">
        <label>
          {t('settings.audit.filter')}
          <select
            name="entityType"
            value={entityType}
            onChange={(e) => {
              setEntityType(e.target.value);
              setCursors([]);
            }}
          >
            <option value="">{t('common.all')}</option>
            {ENTITY_TYPES.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ProblemAlert error={log.error} />
      <div className="table-wrap">
        <table className="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>{t('settings.audit.at')}</th>
              <th>{t('settings.audit.actor')}</th>
              <th>{t('settings.audit.action')}</th>
              <th>{t('settings.audit.entity')}</th>
              <th>{t('settings.audit.changes')}</th>
            </tr>
          </thead>
          <tbody>
            {log.data?.items.map((e) => (
              <tr key={e.id}>
                <td className="nowrap">{formatDateTime(e.at, i18n.language)}</td>
                <td>
                  {e.actorLabel ?? e.actorId ?? ''} <span className="muted">({e.actorType})</span>
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  {e.entityType === 'person' && e.entityId && !e.action.endsWith('deleted') ? (
                    <AppLink to={`/people/${e.entityId}`}>{e.entityType}</AppLink>
                  ) : (
                    e.entityType
                  )}{' '}
                  <span className="muted mono">{e.entityId?.slice(0, 8)}</span>
                </td>
                <td>
                  {e.changes &&
                    Object.entries(e.changes).map(([field, [before, after]]) => (
                      <div key={field}>
                        <strong>{field}</strong>: <span className="muted">{show(before)}</span> → {show(after)}
                      </div>
                    ))}
                  {e.meta && !e.changes && <span className="muted mono">{JSON.stringify(e.meta)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {log.data?.items.length === 0 && <p className="empty">{t('settings.audit.empty')}</p>}
      </div>
      <Pager
        hasPrev={cursors.length > 0}
        hasNext={Boolean(log.data?.nextCursor)}
        onPrev={() => setCursors((c) => c.slice(0, -1))}
        onNext={() => log.data?.nextCursor && setCursors((c) => [...c, log.data.nextCursor as string])}
      />
    </div>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { AppLink, formatDateTime } from '../../../app/ui.tsx';
import type { Enrolment, StepRun } from './types.ts';

/** The lead page's scenario history: each pass through each scenario with every step taken. */
export function ScenarioHistoryPanel({ personId }: { personId: string }) {
  const { t, i18n } = useTranslation();
  const history = useQuery({
    queryKey: ['person-scenarios', personId],
    queryFn: () =>
      api<{ items: (Enrolment & { steps: StepRun[] })[] }>(`/api/v1/people/${personId}/scenarios`),
  });
  return (
    <section
      className="card scn-panel"
      aria-label={t('scenarios.panel.title')}
      data-testid="scenario-history"
    >
      <h2>{t('scenarios.panel.title')}</h2>
      {history.isLoading && <div className="muted">{t('common.loading')}</div>}
      {history.isError && <div className="error">{t('common.error')}</div>}
      {history.data && history.data.items.length === 0 && (
        <p className="muted">{t('scenarios.panel.empty')}</p>
      )}
      {history.data?.items.map((e) => (
        <div key={e.enrolmentId} className="scn-pass">
          <div className="row">
            <AppLink to={`/scenarios/${e.scenarioId}`}>
              <strong>{e.scenarioName}</strong>
            </AppLink>
            <span className={`badge ${e.status === 'active' ? 'badge-success' : 'badge-muted'}`}>
              {t(`scenarios.enrolStatus.${e.status}`)}
            </span>
            {e.occurrence > 1 && (
              <span className="muted">{t('scenarios.panel.pass', { n: e.occurrence })}</span>
            )}
            <span className="muted">{formatDateTime(e.enteredAt, i18n.language)}</span>
          </div>
          <ol className="scn-runs">
            {e.steps.map((r) => (
              <li key={r.seq}>
                <span className="muted nowrap">{formatDateTime(r.at, i18n.language)}</span>{' '}
                {r.stepName || t(`scenarios.step.${r.stepType}`, { defaultValue: r.stepType })}{' '}
                <span className="badge badge-muted">
                  {t(`scenarios.outcome.${r.outcome}`, { defaultValue: r.outcome })}
                </span>
                {typeof r.detail.reason === 'string' && <span className="muted"> ({r.detail.reason})</span>}
              </li>
            ))}
          </ol>
          {e.status === 'active' && e.nextStep && (
            <div className="muted">
              {t('scenarios.panel.next', {
                step: e.nextStep,
                at: formatDateTime(e.nextRunAt, i18n.language),
              })}
            </div>
          )}
        </div>
      ))}
    </section>
  );
}

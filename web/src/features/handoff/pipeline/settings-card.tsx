import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { FieldError, ProblemAlert } from '../../../app/ui.tsx';
import type { PipelineSettings } from './types.ts';

/** Admin settings of the pipeline: days before a Lost lead is recycled, the loss reasons offered. */
export function PipelineSettingsCard() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['pipeline-settings'],
    queryFn: () => api<PipelineSettings>('/api/v1/pipeline/settings'),
  });
  const [days, setDays] = useState('');
  const [reasons, setReasons] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (q.data) {
      setDays(String(q.data.recycleLostAfterDays));
      setReasons(q.data.lossReasons.join('\n'));
    }
  }, [q.data]);
  const save = useMutation({
    mutationFn: () =>
      api<PipelineSettings>('/api/v1/pipeline/settings', {
        method: 'PUT',
        body: {
          recycleLostAfterDays: Number(days),
          lossReasons: reasons
            .split('\n')
            .map((r) => r.trim())
            .filter(Boolean),
        },
      }),
    onSuccess: (s) => {
      qc.setQueryData(['pipeline-settings'], s);
      setSaved(true);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    save.mutate();
  }
  return (
    <form className="card stack" onSubmit={submit} data-testid="pipeline-settings">
      <h2>{t('pipeline.settings.title')}</h2>
      {saved && (
        <div className="alert alert-success" role="status">
          {t('common.saved')}
        </div>
      )}
      <ProblemAlert error={save.error} />
      <label>
        {t('pipeline.settings.recycleDays')}
        <input
          name="recycleLostAfterDays"
          type="number"
          min={0}
          max={3650}
          value={days}
          onChange={(e) => setDays(e.target.value)}
        />
      </label>
      <FieldError error={save.error} path="recycleLostAfterDays" />
      <label>
        {t('pipeline.settings.lossReasons')}
        <textarea name="lossReasons" rows={6} value={reasons} onChange={(e) => setReasons(e.target.value)} />
      </label>
      <FieldError error={save.error} path="lossReasons" />
      <div className="form-actions">
        <button type="submit" className="btn-primary" disabled={save.isPending}>
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}

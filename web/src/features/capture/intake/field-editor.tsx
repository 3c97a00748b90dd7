import { useTranslation } from 'react-i18next';
import { FIELD_TYPES, type FieldType, type FormField } from './types.ts';

interface Props {
  field: FormField;
  index: number;
  count: number;
  error?: string;
  disabled: boolean;
  onChange: (f: FormField) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}

/** One field of the form being built: key, label, type, required, options of a select. */
export function FieldEditor({ field, index, count, error, disabled, onChange, onMove, onRemove }: Props) {
  const { t } = useTranslation();
  const set = (patch: Partial<FormField>) => onChange({ ...field, ...patch });
  return (
    <div className="intake-field" data-testid={`field-${index}`}>
      <div className="form-grid">
        <label className="form-row">
          <span>{t('forms.field.label')}</span>
          <input
            value={field.label}
            disabled={disabled}
            onChange={(e) => set({ label: e.target.value })}
            name={`fields.${index}.label`}
          />
        </label>
        <label className="form-row">
          <span>{t('forms.field.key')}</span>
          <input
            className="mono"
            value={field.key}
            disabled={disabled || field.key === 'email'}
            onChange={(e) => set({ key: e.target.value })}
            name={`fields.${index}.key`}
          />
        </label>
        <label className="form-row">
          <span>{t('forms.field.type')}</span>
          <select
            value={field.type}
            disabled={disabled || field.key === 'email'}
            onChange={(e) => set({ type: e.target.value as FieldType })}
            name={`fields.${index}.type`}
          >
            {FIELD_TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {t(`forms.type.${ty}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="form-row">
          <span>{t('forms.field.placeholder')}</span>
          <input
            value={field.placeholder ?? ''}
            disabled={disabled}
            onChange={(e) => set({ placeholder: e.target.value || undefined })}
          />
        </label>
      </div>
      {field.type === 'select' && (
        <label className="form-row">
          <span>{t('forms.field.options')}</span>
          <textarea
            rows={3}
            disabled={disabled}
            value={(field.options ?? []).join('\n')}
            onChange={(e) =>
              set({
                options: e.target.value
                  .split('\n')
                  .map((s) => s.trim())
                  .filter(Boolean),
              })
            }
          />
        </label>
      )}
      <div className="row">
        <label className="row">
          <input
            type="checkbox"
            checked={Boolean(field.required)}
            disabled={disabled}
            onChange={(e) => set({ required: e.target.checked })}
            name={`fields.${index}.required`}
          />
          {t('forms.field.required')}
        </label>
        <span className="spacer" />
        {!disabled && (
          <>
            <button type="button" className="btn btn-sm" disabled={index === 0} onClick={() => onMove(-1)}>
              {t('forms.field.up')}
            </button>
            <button
              type="button"
              className="btn btn-sm"
              disabled={index === count - 1}
              onClick={() => onMove(1)}
            >
              {t('forms.field.down')}
            </button>
            <button
              type="button"
              className="btn btn-sm btn-danger"
              disabled={field.key === 'email'}
              onClick={onRemove}
            >
              {t('forms.field.remove')}
            </button>
          </>
        )}
      </div>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

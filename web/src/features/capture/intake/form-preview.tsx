import { useTranslation } from 'react-i18next';
import type { FormDraft } from './types.ts';

/** The form as a visitor will see it (the embed's look), updated as the marketer types. */
export function FormPreview({ draft }: { draft: FormDraft }) {
  const { t } = useTranslation();
  return (
    <form
      className="intake-preview"
      data-testid="form-preview"
      onSubmit={(e) => e.preventDefault()}
      aria-label={t('forms.preview')}
    >
      {draft.name && <h3>{draft.name}</h3>}
      {draft.description && <p className="intake-preview-desc">{draft.description}</p>}
      {draft.fields.map((f, i) => {
        const id = `preview-${i}-${f.key}`;
        const label = (
          <label htmlFor={id}>
            {f.label || f.key}
            {f.required && <span className="intake-req">{t('forms.requiredMark')}</span>}
          </label>
        );
        if (f.type === 'checkbox') {
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: fields are edited in place; the position is the identity
            <div key={i} className="intake-preview-field intake-check">
              <input id={id} type="checkbox" />
              {label}
            </div>
          );
        }
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: fields are edited in place; the position is the identity
          <div key={i} className="intake-preview-field">
            {label}
            {f.type === 'textarea' ? (
              <textarea id={id} rows={3} placeholder={f.placeholder} />
            ) : f.type === 'select' ? (
              <select id={id}>
                <option>{t('forms.choose')}</option>
                {(f.options ?? []).map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ) : (
              <input id={id} type={f.type === 'number' ? 'text' : f.type} placeholder={f.placeholder} />
            )}
          </div>
        );
      })}
      {draft.consentText && (
        <div className="intake-preview-field intake-check">
          <input id="preview-consent" type="checkbox" />
          <label htmlFor="preview-consent">
            {draft.consentText}
            {draft.consentRequired && <span className="intake-req">{t('forms.requiredMark')}</span>}
          </label>
        </div>
      )}
      <button type="submit" className="btn-primary">
        {draft.submitLabel || t('forms.submitDefault')}
      </button>
    </form>
  );
}

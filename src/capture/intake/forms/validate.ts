import { normalizeEmail, normalizePhone } from '../../../people/normalize.ts';
import type { FieldError } from '../../../platform/errors.ts';
import { type Locale, translate } from '../../../platform/i18n.ts';
import { formMessages } from './messages.ts';
import type { Form, FormField } from './model.ts';

export type AnswerValue = string | number | boolean;

export interface CheckedSubmission {
  /** Valid answers by field key; empty optional fields are left out. */
  answers: Record<string, AnswerValue>;
  consent: boolean;
  /** Problems in the visitor's language, by field key (`consent` for the checkbox). */
  errors: FieldError[];
}

const MAX_TEXT = 200;
const MAX_TEXTAREA = 5000;
const TRUE_VALUES = new Set(['on', 'true', '1', 'yes']);

function rawString(v: unknown): string {
  if (Array.isArray(v)) return rawString(v[0]);
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return '';
  return String(v);
}

function isChecked(v: unknown): boolean {
  if (v === true) return true;
  return TRUE_VALUES.has(rawString(v).trim().toLowerCase());
}

/** Checks one answer; returns the value to keep, or an error message key with its variables. */
function checkField(field: FormField, raw: unknown, locale: Locale): { value?: AnswerValue; error?: string } {
  const label = field.label;
  const msg = (key: keyof (typeof formMessages)['ja'], vars: Record<string, string | number> = {}) =>
    translate(formMessages, locale, key, { label, ...vars });
  if (field.type === 'checkbox') {
    const checked = isChecked(raw);
    if (field.required && !checked) return { error: msg('required') };
    return { value: checked };
  }
  const s = rawString(raw).replace(/\r\n/g, '\n').trim();
  if (!s) return field.required ? { error: msg('required') } : {};
  const max = field.type === 'textarea' ? MAX_TEXTAREA : MAX_TEXT;
  if (s.length > max) return { error: msg('tooLong', { max }) };
  switch (field.type) {
    case 'email': {
      const email = normalizeEmail(s);
      return email ? { value: email } : { error: msg('email') };
    }
    case 'tel': {
      const phone = normalizePhone(s);
      const digits = (phone ?? '').replace(/\D/g, '').length;
      return phone && digits >= 6 && digits <= 15 ? { value: phone } : { error: msg('tel') };
    }
    case 'number': {
      const n = Number(s.normalize('NFKC').replace(/[,\s]/g, ''));
      return Number.isFinite(n) && n >= 0 && n <= 1e12 ? { value: n } : { error: msg('number') };
    }
    case 'select':
      return field.options?.includes(s) ? { value: s } : { error: msg('select') };
    default:
      return { value: s };
  }
}

/**
 * Server-side validation of a submission against the form's fields, with messages in the
 * visitor's language. Unknown keys are ignored (a visitor cannot add fields).
 */
export function checkSubmission(
  form: Pick<Form, 'fields' | 'consentText' | 'consentRequired'>,
  body: Record<string, unknown>,
  locale: Locale,
): CheckedSubmission {
  const answers: Record<string, AnswerValue> = {};
  const errors: FieldError[] = [];
  for (const field of form.fields) {
    const r = checkField(field, body[field.key], locale);
    if (r.error) errors.push({ path: field.key, message: r.error });
    else if (r.value !== undefined) answers[field.key] = r.value;
  }
  const consent = Boolean(form.consentText) && isChecked(body.consent);
  if (form.consentText && form.consentRequired && !consent) {
    errors.push({ path: 'consent', message: translate(formMessages, locale, 'consent') });
  }
  return { answers, consent, errors };
}

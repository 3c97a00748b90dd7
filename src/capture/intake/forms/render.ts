import type { FieldError } from '../../../platform/errors.ts';
import { escapeHtml as e, type Locale, translate } from '../../../platform/i18n.ts';
import { formMessages } from './messages.ts';
import type { Form, FormField } from './model.ts';

/** The hidden context a hosted page carries into its submission. */
export interface PageContext {
  token: string;
  pageUrl: string;
  referrer: string;
  utm: Record<string, string>;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP","IPAGothic",sans-serif;background:#f5f7fa;color:#102a43;margin:0;padding:32px 16px}
main{max-width:560px;margin:0 auto;background:#fff;border:1px solid #d9e2ec;border-radius:8px;padding:24px}
h1{font-size:22px;margin:0 0 8px}
.lf-desc{color:#486581;margin:0 0 16px;white-space:pre-wrap}
.lf-field{margin:0 0 14px;display:flex;flex-direction:column;gap:4px}
.lf-field label{font-weight:600;font-size:14px}
.lf-req{color:#c53030;font-size:12px;margin-left:6px;font-weight:400}
input,select,textarea{font:inherit;padding:8px;border:1px solid #bcccdc;border-radius:4px}
.lf-check{flex-direction:row;align-items:flex-start;gap:8px}
.lf-check label{font-weight:400}
.lf-err{color:#c53030;font-size:13px}
.lf-invalid input,.lf-invalid select,.lf-invalid textarea{border-color:#c53030}
.lf-summary{background:#fff5f5;border:1px solid #feb2b2;color:#c53030;padding:8px 12px;border-radius:4px;margin-bottom:14px}
.lf-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
button{font:inherit;background:#0b69a3;color:#fff;border:0;border-radius:4px;padding:10px 20px;cursor:pointer}
.lf-thanks{white-space:pre-wrap;font-size:16px}`;

function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><meta name="robots" content="noindex"><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function inputFor(f: FormField, value: unknown, locale: Locale): string {
  const common = `id="lf-${e(f.key)}" name="${e(f.key)}"${f.required ? ' required' : ''}${f.placeholder ? ` placeholder="${e(f.placeholder)}"` : ''}`;
  const v = value === undefined || value === null ? '' : String(value);
  switch (f.type) {
    case 'textarea':
      return `<textarea ${common} rows="4" maxlength="5000">${e(v)}</textarea>`;
    case 'select':
      return `<select ${common}><option value="">${e(translate(formMessages, locale, 'choose'))}</option>${(
        f.options ?? []
      )
        .map((o) => `<option value="${e(o)}"${o === v ? ' selected' : ''}>${e(o)}</option>`)
        .join('')}</select>`;
    case 'checkbox':
      return `<input type="checkbox" ${common} value="on"${value === true || v === 'on' ? ' checked' : ''}>`;
    case 'number':
      return `<input type="text" inputmode="numeric" ${common} value="${e(v)}">`;
    default: {
      const auto: Record<string, string> = {
        email: 'email',
        lastName: 'family-name',
        firstName: 'given-name',
        company: 'organization',
        phone: 'tel',
        title: 'organization-title',
      };
      const ac = auto[f.key] ? ` autocomplete="${auto[f.key]}"` : '';
      return `<input type="${f.type}" ${common}${ac} maxlength="200" value="${e(v)}">`;
    }
  }
}

/** The hosted form page (`GET /f/{id}`), or the same page again with the visitor's answers and errors. */
export function renderFormPage(
  form: Form,
  locale: Locale,
  ctx: PageContext,
  values: Record<string, unknown> = {},
  errors: FieldError[] = [],
  notice?: string,
): string {
  const t = (k: keyof (typeof formMessages)['ja']) => translate(formMessages, locale, k);
  const errorOf = (key: string) => errors.find((x) => x.path === key)?.message;
  const fields = form.fields
    .map((f) => {
      const err = errorOf(f.key);
      const req = f.required ? `<span class="lf-req">${e(t('requiredMark'))}</span>` : '';
      const errHtml = err ? `<span class="lf-err" id="lf-${e(f.key)}-err">${e(err)}</span>` : '';
      if (f.type === 'checkbox') {
        return `<div class="lf-field lf-check${err ? ' lf-invalid' : ''}">${inputFor(f, values[f.key], locale)}<label for="lf-${e(f.key)}">${e(f.label)}${req}</label>${errHtml}</div>`;
      }
      return `<div class="lf-field${err ? ' lf-invalid' : ''}"><label for="lf-${e(f.key)}">${e(f.label)}${req}</label>${inputFor(f, values[f.key], locale)}${errHtml}</div>`;
    })
    .join('\n');
  const consentErr = errorOf('consent');
  const consent = form.consentText
    ? `<div class="lf-field lf-check${consentErr ? ' lf-invalid' : ''}"><input type="checkbox" id="lf-consent" name="consent" value="on"${
        values.consent ? ' checked' : ''
      }${form.consentRequired ? ' required' : ''}><label for="lf-consent">${e(form.consentText)}${
        form.consentRequired ? `<span class="lf-req">${e(t('requiredMark'))}</span>` : ''
      }</label>${consentErr ? `<span class="lf-err">${e(consentErr)}</span>` : ''}</div>`
    : '';
  const hidden = [
    ['_lf_ts', ctx.token],
    ['_lf_page', ctx.pageUrl],
    ['_lf_referrer', ctx.referrer],
    ...Object.entries(ctx.utm),
  ]
    .map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`)
    .join('');
  const summary = notice ?? (errors.length > 0 ? t('fix') : undefined);
  const body = `<h1>${e(form.name)}</h1>${form.description ? `<p class="lf-desc">${e(form.description)}</p>` : ''}
${summary ? `<div class="lf-summary" role="alert">${e(summary)}</div>` : ''}
<form id="lf-form" method="post" action="/f/${e(form.id)}" novalidate>
${hidden}<input type="hidden" name="_lf_visitor" value="">
<div class="lf-hp" aria-hidden="true"><label>Website<input type="text" name="_lf_hp" tabindex="-1" autocomplete="off"></label></div>
${fields}
${consent}
<button type="submit">${e(form.submitLabel || t('submit'))}</button>
</form>
<script>document.getElementById('lf-form').addEventListener('submit',function(){var m=document.cookie.match(/(?:^|; )_lfvid=([^;]+)/);if(m)this.elements._lf_visitor.value=decodeURIComponent(m[1]);});</script>
<script async src="/t.js"></script>`;
  return page(locale, form.name, body);
}

export function renderThankYou(form: Form, locale: Locale): string {
  return page(
    locale,
    form.name,
    `<h1>${e(form.name)}</h1><p class="lf-thanks" role="status">${e(form.thankYouMessage || translate(formMessages, locale, 'thanks'))}</p>`,
  );
}

export function renderNotFound(locale: Locale): string {
  const msg = translate(formMessages, locale, 'notFound');
  return page(locale, msg, `<h1>${e(msg)}</h1>`);
}

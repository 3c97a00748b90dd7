import { Link, type LinkProps, useNavigate } from '@tanstack/react-router';
import type { AnchorHTMLAttributes, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api.ts';

type SearchValues = Record<string, string | number | boolean | undefined>;

/**
 * A router link to any app path. Feature routes are registered at run time, so the router's
 * typed paths do not know them; this takes a plain path (`/people/${id}`) and search values.
 */
export function AppLink({
  to,
  search,
  children,
  ...rest
}: { to: string; search?: SearchValues; children?: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const props = { to, search, activeOptions: { includeSearch: false }, ...rest } as unknown as LinkProps;
  return <Link {...props}>{children}</Link>;
}

/** navigate(path, search?, { replace }) for run-time registered paths. */
export function useAppNavigate() {
  const navigate = useNavigate();
  return (to: string, search?: SearchValues, opts: { replace?: boolean } = {}) =>
    navigate({ to, search, replace: opts.replace } as never);
}

/** A stage as a coloured pill (`.badge-stage-<stage>`). */
export function StageBadge({ stage }: { stage: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-stage-${stage}`} data-stage={stage}>
      {t(`stage.${stage}`)}
    </span>
  );
}

interface NameParts {
  lastName?: string | null;
  firstName?: string | null;
  lastNameKana?: string | null;
  firstNameKana?: string | null;
  email?: string | null;
}

/** 姓 名 in Japanese order; the e-mail when there is no name. */
export function fullName(p: NameParts): string {
  const name = [p.lastName, p.firstName].filter(Boolean).join(' ');
  return name || p.email || '';
}

/** The reading (furigana), or undefined. */
export function kanaOf(p: NameParts): string | undefined {
  const kana = [p.lastNameKana, p.firstNameKana].filter(Boolean).join(' ');
  return kana || undefined;
}

/** A person's name as 姓 名 with the kana reading on hover. */
export function PersonName({ person }: { person: NameParts }) {
  return (
    <span className="person-name" title={kanaOf(person)}>
      {fullName(person)}
    </span>
  );
}

/** Previous / next for cursor pages: the caller keeps a stack of cursors. */
export function Pager({
  hasPrev,
  hasNext,
  onPrev,
  onNext,
  label,
}: {
  hasPrev: boolean;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  label?: string;
}) {
  const { t } = useTranslation();
  if (!hasPrev && !hasNext && !label) return null;
  return (
    <div className="pager">
      {label && <span>{label}</span>}
      <button type="button" className="btn btn-sm" disabled={!hasPrev} onClick={onPrev}>
        {t('common.prev')}
      </button>
      <button type="button" className="btn btn-sm" disabled={!hasNext} onClick={onNext}>
        {t('common.next')}
      </button>
    </div>
  );
}

/** The problem+json message for one field, if any. */
export function fieldError(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.errors.find((e) => e.path === path || e.path === `/${path}` || e.path.endsWith(`.${path}`) || e.path.endsWith(`/${path}`))?.message;
}

export function FieldError({ error, path }: { error: unknown; path: string }) {
  const msg = fieldError(error, path);
  if (!msg) return null;
  return (
    <span className="field-error" role="alert" data-field-error={path}>
      {msg}
    </span>
  );
}

/** A failed request as an alert: the problem's title and detail, or a generic message. */
export function ProblemAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const text = error instanceof ApiError ? [error.title, error.detail].filter(Boolean).join(' — ') : t('common.error');
  return (
    <div className="alert alert-error" role="alert">
      {text}
    </div>
  );
}

function locale(lang: string) {
  return lang.startsWith('ja') ? 'ja-JP' : 'en-US';
}

export function formatDate(value: string | Date | null | undefined, lang: string): string {
  if (!value) return '';
  return new Date(value).toLocaleDateString(locale(lang), { year: 'numeric', month: '2-digit', day: '2-digit' });
}

export function formatDateTime(value: string | Date | null | undefined, lang: string): string {
  if (!value) return '';
  return new Date(value).toLocaleString(locale(lang), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function formatNumber(value: number | null | undefined, lang: string): string {
  if (value === null || value === undefined) return '';
  return value.toLocaleString(locale(lang));
}

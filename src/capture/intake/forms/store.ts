import type { Queryable } from '../../../platform/db/client.ts';
import { AppError, type FieldError, invalid, isUniqueViolation, notFound } from '../../../platform/errors.ts';
import { decodeCursor, toPage } from '../../../platform/http/pagination.ts';
import { type Actor, diffFields, recordAudit } from '../../../team/audit.ts';
import { checkFields, FORM_COLUMNS, type Form, type FormInput, type FormRow, toForm } from './model.ts';

export interface FormSummary extends Form {
  submissionCount: number;
  lastSubmissionAt: Date | null;
  campaignName: string | null;
}

const COLUMN_OF: Record<string, string> = {
  name: 'name',
  description: 'description',
  fields: 'fields',
  campaignId: 'campaign_id',
  channel: 'channel',
  consentText: 'consent_text',
  consentRequired: 'consent_required',
  submitLabel: 'submit_label',
  thankYouMessage: 'thank_you_message',
  redirectUrl: 'redirect_url',
  minFillSeconds: 'min_fill_seconds',
};

async function checkInput(q: Queryable, ws: number, input: Partial<FormInput>): Promise<void> {
  const problems: FieldError[] = [];
  if (input.fields) for (const [path, message] of checkFields(input.fields)) problems.push({ path, message });
  if (input.campaignId) {
    const c = await q.query('SELECT 1 FROM campaigns WHERE workspace_id = $1 AND id = $2', [
      ws,
      input.campaignId,
    ]);
    if (c.rows.length === 0) problems.push({ path: 'campaignId', message: 'no campaign with this id' });
  }
  if (problems.length === 1) throw invalid(problems[0].path, problems[0].message);
  if (problems.length > 1) {
    throw new AppError(
      422,
      'validation',
      'Invalid request',
      problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      problems,
    );
  }
}

function duplicateName(err: unknown, name: string | undefined): never {
  if (isUniqueViolation(err, 'forms_name_uq'))
    throw new AppError(409, 'duplicate', 'Conflict', `A form named ${name} exists`);
  throw err;
}

export async function createForm(q: Queryable, actor: Actor, input: FormInput): Promise<Form> {
  await checkInput(q, actor.workspaceId, input);
  const cols = Object.keys(COLUMN_OF).filter((k) => input[k as keyof FormInput] !== undefined);
  const values = cols.map((k) =>
    k === 'fields' ? JSON.stringify(input.fields) : input[k as keyof FormInput],
  );
  let r: { rows: FormRow[] };
  try {
    r = await q.query<FormRow>(
      `INSERT INTO forms (workspace_id, ${cols.map((k) => COLUMN_OF[k]).join(', ')})
       VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')}) RETURNING ${FORM_COLUMNS}`,
      [actor.workspaceId, ...values],
    );
  } catch (err) {
    duplicateName(err, input.name);
  }
  const form = toForm(r.rows[0]);
  await recordAudit(q, actor, {
    action: 'form.created',
    entityType: 'form',
    entityId: form.id,
    meta: { name: form.name },
  });
  return form;
}

/** A live (not archived) form; `notFound` otherwise. */
export async function getForm(q: Queryable, workspaceId: number, id: string): Promise<Form> {
  const r = await q.query<FormRow>(
    `SELECT ${FORM_COLUMNS} FROM forms WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL`,
    [workspaceId, id],
  );
  if (!r.rows[0]) throw notFound('Form', id);
  return toForm(r.rows[0]);
}

/** A live form by id in any workspace: the public endpoints know only the form id. */
export async function findPublicForm(
  q: Queryable,
  id: string,
): Promise<(Form & { workspaceId: number }) | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const r = await q.query<FormRow>(
    `SELECT ${FORM_COLUMNS} FROM forms WHERE id = $1 AND archived_at IS NULL`,
    [id],
  );
  return r.rows[0] ? { ...toForm(r.rows[0]), workspaceId: r.rows[0].workspace_id } : undefined;
}

export async function updateForm(
  q: Queryable,
  actor: Actor,
  id: string,
  patch: Partial<FormInput>,
): Promise<Form> {
  const current = await getForm(q, actor.workspaceId, id);
  await checkInput(q, actor.workspaceId, patch);
  const keys = Object.keys(COLUMN_OF).filter((k) => patch[k as keyof FormInput] !== undefined);
  const changes = diffFields(
    current as unknown as Record<string, unknown>,
    Object.fromEntries(keys.map((k) => [k, patch[k as keyof FormInput]])),
  );
  const changed = Object.keys(changes);
  if (changed.length === 0) return current;
  const params = changed.map((k) =>
    k === 'fields' ? JSON.stringify(patch.fields) : patch[k as keyof FormInput],
  );
  let r: { rows: FormRow[] };
  try {
    r = await q.query<FormRow>(
      `UPDATE forms SET ${changed.map((k, i) => `${COLUMN_OF[k]} = $${i + 3}`).join(', ')}, updated_at = now()
       WHERE workspace_id = $1 AND id = $2 RETURNING ${FORM_COLUMNS}`,
      [actor.workspaceId, id, ...params],
    );
  } catch (err) {
    duplicateName(err, patch.name);
  }
  await recordAudit(q, actor, { action: 'form.updated', entityType: 'form', entityId: id, changes });
  return toForm(r.rows[0]);
}

/** Archives a form: its page and embed stop answering, its submissions and their leads stay. */
export async function archiveForm(q: Queryable, actor: Actor, id: string): Promise<void> {
  const r = await q.query(
    'UPDATE forms SET archived_at = now(), updated_at = now() WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL',
    [actor.workspaceId, id],
  );
  if (r.affectedRows === 0) throw notFound('Form', id);
  await recordAudit(q, actor, { action: 'form.archived', entityType: 'form', entityId: id });
}

/** Live forms, newest first, with their submission counts (form_submissions_form_idx). */
export async function listForms(q: Queryable, workspaceId: number, limit: number, cursor?: string) {
  const after = decodeCursor(cursor, 2);
  const r = await q.query<
    FormRow & { submission_count: number; last_submission_at: Date | null; campaign_name: string | null; created_exact: string }
  >(
    `SELECT ${FORM_COLUMNS.split(',')
      .map((c) => `f.${c.trim()}`)
      .join(', ')}, f.created_at::text AS created_exact, c.name AS campaign_name,
            (SELECT count(*) FROM form_submissions s WHERE s.form_id = f.id) AS submission_count,
            (SELECT max(created_at) FROM form_submissions s WHERE s.form_id = f.id) AS last_submission_at
     FROM forms f LEFT JOIN campaigns c ON c.id = f.campaign_id
     WHERE f.workspace_id = $1 AND f.archived_at IS NULL
       AND ($2::timestamptz IS NULL OR (f.created_at, f.id) < ($2::timestamptz, $3::uuid))
     ORDER BY f.created_at DESC, f.id DESC LIMIT $4`,
    [workspaceId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const page = toPage(r.rows, limit, (last) => [last.created_exact, last.id]);
  return {
    items: page.items.map(
      (row): FormSummary => ({
        ...toForm(row),
        submissionCount: row.submission_count,
        lastSubmissionAt: row.last_submission_at,
        campaignName: row.campaign_name,
      }),
    ),
    nextCursor: page.nextCursor,
  };
}

export interface SubmissionView {
  id: string;
  personId: string;
  email: string;
  name: string;
  answers: Record<string, unknown>;
  consent: boolean;
  pageUrl: string | null;
  referrer: string | null;
  utm: Record<string, string>;
  createdAt: Date;
}

/** A form's submissions, newest first, with who sent them. */
export async function listSubmissions(
  q: Queryable,
  workspaceId: number,
  formId: string,
  limit: number,
  cursor?: string,
) {
  await getForm(q, workspaceId, formId);
  const after = decodeCursor(cursor, 2);
  const r = await q.query<{
    id: string;
    person_id: string;
    email: string;
    name: string;
    answers: Record<string, unknown>;
    consent: boolean;
    page_url: string | null;
    referrer: string | null;
    utm: Record<string, string>;
    created_at: Date;
    created_exact: string;
  }>(
    `SELECT s.id, s.person_id, p.email, trim(coalesce(p.last_name, '') || ' ' || coalesce(p.first_name, '')) AS name,
            s.answers, s.consent, s.page_url, s.referrer, s.utm, s.created_at, s.created_at::text AS created_exact
     FROM form_submissions s JOIN people p ON p.id = s.person_id
     WHERE s.workspace_id = $1 AND s.form_id = $2
       AND ($3::timestamptz IS NULL OR (s.created_at, s.id) < ($3::timestamptz, $4::uuid))
     ORDER BY s.created_at DESC, s.id DESC LIMIT $5`,
    [workspaceId, formId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  const page = toPage(r.rows, limit, (last) => [last.created_exact, last.id]);
  return {
    items: page.items.map(
      (s): SubmissionView => ({
        id: s.id,
        personId: s.person_id,
        email: s.email,
        name: s.name,
        answers: s.answers,
        consent: s.consent,
        pageUrl: s.page_url,
        referrer: s.referrer,
        utm: s.utm,
        createdAt: s.created_at,
      }),
    ),
    nextCursor: page.nextCursor,
  };
}

export interface PersonSubmission {
  id: string;
  formId: string;
  formName: string;
  answers: Record<string, unknown>;
  labels: Record<string, string>;
  consent: boolean;
  consentText: string | null;
  pageUrl: string | null;
  utm: Record<string, string>;
  createdAt: Date;
}

/** Everything a person submitted, newest first, with the field labels to show the answers (form_submissions_person_idx). */
export async function submissionsOfPerson(
  q: Queryable,
  workspaceId: number,
  personId: string,
  limit: number,
): Promise<PersonSubmission[]> {
  const r = await q.query<{
    id: string;
    form_id: string;
    name: string;
    fields: { key: string; label: string }[];
    answers: Record<string, unknown>;
    consent: boolean;
    consent_text: string | null;
    page_url: string | null;
    utm: Record<string, string>;
    created_at: Date;
    created_exact: string;
  }>(
    `SELECT s.id, s.form_id, f.name, f.fields, s.answers, s.consent, s.consent_text, s.page_url, s.utm, s.created_at
     FROM form_submissions s JOIN forms f ON f.id = s.form_id
     WHERE s.person_id = $2 AND s.workspace_id = $1
     ORDER BY s.created_at DESC LIMIT $3`,
    [workspaceId, personId, limit],
  );
  return r.rows.map((s) => ({
    id: s.id,
    formId: s.form_id,
    formName: s.name,
    answers: s.answers,
    labels: Object.fromEntries(s.fields.map((f) => [f.key, f.label])),
    consent: s.consent,
    consentText: s.consent_text,
    pageUrl: s.page_url,
    utm: s.utm,
    createdAt: s.created_at,
  }));
}

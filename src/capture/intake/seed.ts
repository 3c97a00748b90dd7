import type { SeedContext } from '../../platform/feature.ts';
import { systemActor } from '../../team/audit.ts';
import type { FormInput } from './forms/model.ts';
import { DOCUMENT_REQUEST_FIELDS } from './forms/presets.ts';
import { createForm } from './forms/store.ts';

const DOCUMENT_REQUEST = '資料請求フォーム';

/**
 * The demo's forms: 資料請求フォーム (the nurture scenarios look it up by this name) on the
 * document-request campaign, a contact form and a webinar sign-up. The story's earlier
 * 資料請求 form posts become the first form's submission history.
 */
export async function seedIntakeDemo(ctx: SeedContext): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const exists = await tx.query(
      'SELECT 1 FROM forms WHERE workspace_id = 1 AND name = $1 AND archived_at IS NULL',
      [DOCUMENT_REQUEST],
    );
    if (exists.rows.length > 0) return;
    const campaigns = await tx.query<{ id: string; channel: string }>(
      'SELECT DISTINCT ON (channel) id, channel FROM campaigns WHERE workspace_id = 1 ORDER BY channel, created_at',
    );
    const campaignOf = (channel: string) => campaigns.rows.find((c) => c.channel === channel)?.id ?? null;
    const actor = systemActor('demo');
    const consentText = 'Leadflowからの製品情報・セミナーのご案内メールを受け取ることに同意します。';
    const forms: FormInput[] = [
      {
        name: DOCUMENT_REQUEST,
        description: '製造業DXの導入事例集とホワイトペーパーをお送りします。',
        fields: DOCUMENT_REQUEST_FIELDS,
        campaignId: campaignOf('document_request'),
        channel: 'document_request',
        consentText,
        thankYouMessage:
          '資料請求ありがとうございます。ご登録のメールアドレスに資料のダウンロードURLをお送りしました。',
      },
      {
        name: 'お問い合わせ',
        fields: [
          { key: 'lastName', label: '姓', type: 'text', required: true },
          { key: 'firstName', label: '名', type: 'text', required: true },
          { key: 'company', label: '会社名', type: 'text', required: true },
          { key: 'email', label: 'メールアドレス', type: 'email', required: true },
          { key: 'phone', label: '電話番号', type: 'tel' },
          { key: 'inquiry', label: 'お問い合わせ内容', type: 'textarea', required: true },
          { key: 'wantsDemo', label: 'デモを希望する', type: 'checkbox' },
        ],
        channel: 'web',
        consentText,
      },
      {
        name: 'ウェビナー申込フォーム',
        fields: DOCUMENT_REQUEST_FIELDS.filter((f) =>
          ['lastName', 'firstName', 'company', 'title', 'email'].includes(f.key),
        ),
        campaignId: campaignOf('webinar'),
        channel: 'webinar',
        consentText,
        thankYouMessage: 'お申し込みありがとうございます。視聴用URLを開催前日にお送りします。',
      },
    ];
    const created = [];
    for (const f of forms) created.push(await createForm(tx, actor, f));
    const form = created[0];
    // The story's earlier posts of this form become its submission history (one statement).
    await tx.query(
      `WITH src AS (
         SELECT a.id AS activity_id, a.person_id, a.occurred_at, a.properties FROM activities a
         WHERE a.workspace_id = 1 AND a.type = 'form_submit' AND a.properties->>'form' = $2 AND a.person_id IS NOT NULL
       ),
       ins AS (
         INSERT INTO form_submissions (workspace_id, form_id, person_id, answers, consent, consent_text, page_url, locale, nonce, created_at)
         SELECT 1, $1, src.person_id,
                jsonb_strip_nulls(jsonb_build_object('email', p.email, 'lastName', p.last_name, 'firstName', p.first_name,
                  'company', p.company, 'department', p.department, 'title', p.title, 'prefecture', p.prefecture)),
                p.consent, CASE WHEN p.consent THEN $3 END, src.properties->>'url', 'ja', 'demo-' || src.activity_id, src.occurred_at
         FROM src JOIN people p ON p.id = src.person_id
         RETURNING id, nonce
       )
       UPDATE activities a SET properties = a.properties || jsonb_build_object('formId', $1::text, 'formName', $2::text, 'submissionId', ins.id)
       FROM ins WHERE a.id = substring(ins.nonce FROM 6)::bigint`,
      [form.id, DOCUMENT_REQUEST, consentText],
    );
  });
}

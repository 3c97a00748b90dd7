import type { Queryable } from '../../platform/db/client.ts';
import type { SeedContext } from '../../platform/feature.ts';
import { type Actor, systemActor } from '../../team/audit.ts';
import { createTemplate, type TemplateInput } from '../mail/templates.ts';
import { createSegment } from '../segments/store.ts';
import type { ScenarioInput } from './model.ts';
import { createScenario, setScenarioStatus } from './store.ts';

const DOCUMENT_REQUEST_FORM = '資料請求フォーム';

const WELCOME: TemplateInput = {
  name: '【ようこそ】資料請求ありがとうございます',
  subject: '{{ person.lastName | default: "お客" }}様、資料請求ありがとうございます',
  preheader: '製造業DX導入事例集のダウンロードURLをお送りします',
  html: `<p>{{ person.company }}<br>{{ person.lastName | default: "お客" }} 様</p>
<p>このたびは資料をご請求いただき、誠にありがとうございます。{{ sender.name }}でございます。</p>
<p>ご請求の「製造業DX導入事例集」は、下記のURLからダウンロードいただけます。</p>
<p><a href="https://www.example.jp/download/dx-casebook.pdf">導入事例集をダウンロードする</a></p>
<p>ご不明な点がございましたら、本メールにご返信ください。</p>`,
};

const CASE_STUDY: TemplateInput = {
  name: '【フォロー】導入事例のご紹介（開封者向け）',
  subject: '同業他社の導入事例：生産計画の工数を40%削減した方法',
  html: `<p>{{ person.lastName | default: "お客" }} 様</p>
<p>先日は導入事例集をご覧いただきありがとうございました。</p>
<p>{{ person.industry | default: "製造業" }}のお客様に特にご好評いただいている事例を、担当者のインタビューとあわせてご紹介します。</p>
<p><a href="https://www.example.jp/cases/production-planning">事例を読む</a>　／　<a href="https://www.example.jp/contact/consultation">無料個別相談を予約する</a></p>`,
};

const REMINDER: TemplateInput = {
  name: '【リマインド】資料はご覧いただけましたか（未開封者向け）',
  subject: '【再送】製造業DX導入事例集のダウンロードURL',
  html: `<p>{{ person.lastName | default: "お客" }} 様</p>
<p>先日お送りした資料のダウンロードURLを再送いたします。お忙しいところ恐縮ですが、ぜひご一読ください。</p>
<p><a href="https://www.example.jp/download/dx-casebook.pdf">導入事例集をダウンロードする</a></p>`,
};

const SEMINAR: TemplateInput = {
  name: '【ご招待】製造業DX推進セミナー',
  subject: '【ご招待】製造業DX推進セミナー（東京・オンライン同時開催）',
  html: `<p>{{ person.company }}<br>{{ person.lastName | default: "お客" }} 様</p>
<p>製造業のデータ活用をテーマにしたセミナーを開催します。導入企業の情報システム部門の方にご登壇いただきます。</p>
<p><a href="https://www.example.jp/seminar/dx-2026">詳細・お申し込みはこちら</a></p>`,
};

async function templateId(q: Queryable, actor: Actor, input: TemplateInput): Promise<string> {
  const found = await q.query<{ id: string }>(
    'SELECT id FROM email_templates WHERE workspace_id = $1 AND name = $2',
    [actor.workspaceId, input.name],
  );
  return found.rows[0]?.id ?? (await createTemplate(q, actor, input)).id;
}

async function activate(q: Queryable, actor: Actor, input: ScenarioInput): Promise<void> {
  const s = await createScenario(q, actor, input);
  await setScenarioStatus(q, actor, s.id, 'active');
}

/**
 * The demo's scenarios, both active: a welcome series on the document-request form (welcome
 * mail at once, then after three days a follow-up by whether it was opened) and a seminar
 * invitation for manufacturing and IT leads not yet handed to sales.
 */
export async function seedScenarioDemo(ctx: SeedContext): Promise<void> {
  const actor = systemActor('demo');
  await ctx.db.transaction(async (tx) => {
    const existing = await tx.query('SELECT 1 FROM scenarios WHERE workspace_id = 1 LIMIT 1');
    if (existing.rows.length > 0) return;
    const form = await tx.query<{ id: string }>(
      'SELECT id FROM forms WHERE workspace_id = 1 AND name = $1 ORDER BY created_at LIMIT 1',
      [DOCUMENT_REQUEST_FORM],
    );
    const formId = form.rows[0]?.id;
    if (!formId) {
      ctx.log.info(
        { form: DOCUMENT_REQUEST_FORM },
        'demo: no document-request form, the welcome scenario is not created',
      );
    } else {
      const welcome = await templateId(tx, actor, WELCOME);
      const caseStudy = await templateId(tx, actor, CASE_STUDY);
      const reminder = await templateId(tx, actor, REMINDER);
      await activate(tx, actor, {
        name: '資料請求ウェルカムシナリオ',
        description:
          '資料請求フォームの送信直後にお礼メール。3日後の平日10時に、開封した人には導入事例、開封していない人には再送メール。SQLになったら終了。',
        trigger: { type: 'form_submitted', formId },
        steps: [
          {
            id: 'welcome',
            name: 'お礼メール（資料URL）',
            type: 'send_email',
            templateId: welcome,
            next: 'wait-3d',
          },
          {
            id: 'wait-3d',
            name: '3日後の平日10時まで待つ',
            type: 'wait',
            duration: { amount: 3, unit: 'days' },
            until: { weekdays: [1, 2, 3, 4, 5], time: '10:00' },
            next: 'opened',
          },
          {
            id: 'opened',
            name: 'お礼メールを開封した？',
            type: 'branch',
            condition: { kind: 'opened', withinHours: 72, stepId: 'welcome' },
            yes: 'case-study',
            no: 'reminder',
          },
          {
            id: 'case-study',
            name: '導入事例メール',
            type: 'send_email',
            templateId: caseStudy,
            next: 'engaged',
          },
          { id: 'engaged', name: '関心度 +10', type: 'adjust_score', points: 10, next: null },
          { id: 'reminder', name: '再送メール', type: 'send_email', templateId: reminder, next: null },
        ],
        goal: { stages: ['sql', 'won'] },
        reentry: 'after_exit',
        reentryDays: 30,
        timeZone: 'Asia/Tokyo',
        quietHours: null,
      });
    }
    const seminar = await templateId(tx, actor, SEMINAR);
    const segment = await createSegment(tx, actor, {
      name: '製造業・情報通信の育成中リード',
      description: 'セミナー招待の対象：製造業または情報通信で、まだ営業に渡していないリード',
      kind: 'dynamic',
      filter: {
        and: [
          {
            or: [
              { field: 'industry', op: 'contains', value: '製造' },
              { field: 'industry', op: 'contains', value: '情報通信' },
            ],
          },
          { field: 'stage', op: 'in', value: ['inquiry', 'mql', 'recycled'] },
        ],
      },
    });
    const campaign = await tx.query<{ id: string }>(
      "SELECT id FROM campaigns WHERE workspace_id = 1 AND channel = 'seminar' ORDER BY created_at DESC LIMIT 1",
    );
    await activate(tx, actor, {
      name: 'DX推進セミナー招待',
      description:
        'セグメントに新たに該当したリードにセミナー招待を送り、キャンペーンに「招待済み」で追加。平日夜間・早朝は送らない。',
      trigger: { type: 'segment_entered', segmentId: segment.id, includeExisting: false },
      steps: [
        {
          id: 'invite',
          name: 'セミナー招待メール',
          type: 'send_email',
          templateId: seminar,
          next: campaign.rows[0] ? 'invited' : null,
        },
        ...(campaign.rows[0]
          ? [
              {
                id: 'invited',
                name: 'キャンペーンに招待済みで追加',
                type: 'add_to_campaign' as const,
                campaignId: campaign.rows[0].id,
                status: 'invited' as const,
                next: null,
              },
            ]
          : []),
      ],
      goal: { stages: ['sql'] },
      reentry: 'never',
      reentryDays: 0,
      timeZone: 'Asia/Tokyo',
      quietHours: { start: '20:00', end: '08:00' },
    });
  });
}

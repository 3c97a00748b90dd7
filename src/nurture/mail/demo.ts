import type { SeedContext } from '../../platform/feature.ts';
import { systemActor } from '../../team/audit.ts';
import { addMembers, createSegment } from '../segments/store.ts';
import { saveMailSettings } from './settings.ts';
import { createTemplate } from './templates.ts';

/**
 * The mail part of the demo: the sender identity every marketing mail shows, a few segments
 * a marketer would keep (one with activity history and a campaign condition), a static list
 * and a newsletter template. The scenarios part adds its own templates and segments.
 */
export async function seedMailDemo(ctx: SeedContext): Promise<void> {
  const actor = systemActor('demo');
  await ctx.db.transaction(async (tx) => {
    await saveMailSettings(tx, 1, {
      senderName: '株式会社リードフロー（デモ）',
      fromEmail: '',
      replyTo: '',
      postalAddress: '〒100-0005 東京都千代田区丸の内1-1-1 リードフロービル8F',
      contact: 'marketing@leadflow.example / 03-1234-5678',
      ratePerSecond: 10,
      requireConsent: true,
    });
    const exists = await tx.query(`SELECT 1 FROM segments WHERE workspace_id = 1 AND name = $1`, [
      '料金ページを2回以上見た未参加者',
    ]);
    if (exists.rows.length) return;
    const seminar = await tx.query<{ id: string }>(
      `SELECT id FROM campaigns WHERE workspace_id = 1 AND channel = 'seminar' ORDER BY created_at LIMIT 1`,
    );
    await createSegment(tx, actor, {
      name: '料金ページを2回以上見た未参加者',
      description: '過去30日に料金ページを2回以上閲覧し、セミナーには参加していない人',
      kind: 'dynamic',
      filter: {
        and: [
          { activity: { type: 'page_view', urlContains: '/pricing', withinDays: 30, min: 2 } },
          seminar.rows[0]
            ? { not: { campaign: { id: seminar.rows[0].id, status: ['attended'] } } }
            : { not: { activity: { type: 'event_attended' } } },
        ],
      },
    });
    await createSegment(tx, actor, {
      name: 'フィットA・B の育成対象',
      description: 'フィットグレードB以上で、まだMQLになっていない配信可能なリード',
      kind: 'dynamic',
      filter: {
        and: [
          { field: 'fitGrade', op: 'gte', value: 'B' },
          { field: 'stage', op: 'in', value: ['inquiry', 'recycled'] },
          { field: 'consent', op: 'eq', value: true },
        ],
      },
    });
    await createSegment(tx, actor, {
      name: '休眠リード（90日行動なし）',
      description: '90日間サイト訪問もメール反応もない育成中のリード',
      kind: 'dynamic',
      filter: {
        and: [
          { field: 'stage', op: 'in', value: ['inquiry', 'mql', 'recycled'] },
          {
            not: {
              activity: { type: ['page_view', 'email_open', 'email_click', 'form_submit'], withinDays: 90 },
            },
          },
        ],
      },
    });
    const list = await createSegment(tx, actor, {
      name: '展示会VIPリスト',
      description: '展示会で名刺交換した重点顧客',
      kind: 'static',
    });
    await addMembers(
      tx,
      actor,
      list.id,
      {
        filter: {
          and: [
            { field: 'fitGrade', op: 'eq', value: 'A' },
            { field: 'engagementScore', op: 'gte', value: 40 },
          ],
        },
      },
      ctx.clock.now(),
    );
    await createTemplate(tx, actor, {
      name: '月次ニュースレター',
      subject: '【{{ sender.name }}】今月のDXニュース',
      preheader: '導入事例・セミナー情報・新機能のお知らせ',
      html: `<html><head><style>h2 { color: #1e3a8a; font-size: 18px; } .btn { background: #2563eb; color: #ffffff; padding: 10px 18px; border-radius: 6px; text-decoration: none; }</style></head>
<body>
<p>{{ person.company }}<br>{{ person.lastName | default: 'ご担当者' }} 様</p>
<p>いつもお世話になっております。{{ sender.name }}です。今月のトピックをお届けします。</p>
<h2>導入事例：部品メーカーの受注予測</h2>
<p>需要予測の精度を高め、在庫を20%削減した取り組みをご紹介します。</p>
<p><a class="btn" href="https://www.example.jp/cases/demand-forecast">事例を読む</a></p>
<h2>セミナーのご案内</h2>
<p><a href="https://www.example.jp/seminar">今後のセミナー一覧</a></p>
</body></html>`,
    });
  });
}

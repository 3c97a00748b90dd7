import type { RuleSet } from './rule-set.ts';

const EXECUTIVE = ['役員', '取締役', '社長', '執行役員', '本部長', 'CEO', 'CTO', 'CIO', 'COO', 'CFO', 'Chief', 'VP', 'Vice President', 'Director'];
const MANAGER = ['部長', '課長', 'マネージャー', 'マネジャー', 'Manager', 'Head of'];
const IT_ROLE = ['情報システム', '情シス', 'DX', 'デジタル', 'IT部', 'Information Systems'];

/**
 * The rule set installed with the demo and offered as the starting point: a B2B profile
 * (manufacturing and IT, larger companies, managers and executives, IT departments in the
 * big metropolitan areas) and the behaviour that signals buying intent (pricing page,
 * downloads, webinars), with job seekers, bounces and unsubscribes counting against.
 * MQL: grade B or better and 60 engagement points; points halve every 90 days.
 */
export const DEFAULT_RULE_SET: Omit<RuleSet, 'version'> = {
  halfLifeDays: 90,
  fitGrades: { A: 60, B: 40, C: 20 },
  mql: { all: [{ fitGradeAtLeast: 'B' }, { engagementAtLeast: 60 }] },
  rules: [
    {
      id: 'fit-industry',
      name: '重点業種（製造・情報通信・ソフトウェア）',
      kind: 'fit',
      when: { field: 'industry', op: 'contains', values: ['製造', '情報通信', 'ソフトウェア', 'manufactur', 'software'] },
      points: 20,
    },
    { id: 'fit-size-large', name: '従業員1,000名以上', kind: 'fit', when: { field: 'employeeCount', op: 'between', min: 1000 }, points: 25 },
    { id: 'fit-size-mid', name: '従業員300〜999名', kind: 'fit', when: { field: 'employeeCount', op: 'between', min: 300, max: 999 }, points: 15 },
    { id: 'fit-size-small', name: '従業員50〜299名', kind: 'fit', when: { field: 'employeeCount', op: 'between', min: 50, max: 299 }, points: 5 },
    { id: 'fit-executive', name: '役員・経営層', kind: 'fit', when: { field: 'title', op: 'contains', values: EXECUTIVE }, points: 25 },
    {
      id: 'fit-manager',
      name: '部長・課長クラス',
      kind: 'fit',
      when: {
        all: [
          { field: 'title', op: 'contains', values: MANAGER },
          { field: 'title', op: 'notContains', values: EXECUTIVE },
        ],
      },
      points: 15,
    },
    {
      id: 'fit-it-department',
      name: '情報システム・DX部門',
      kind: 'fit',
      when: {
        any: [
          { field: 'department', op: 'contains', values: IT_ROLE },
          { field: 'title', op: 'contains', values: IT_ROLE },
        ],
      },
      points: 10,
    },
    {
      id: 'fit-metro',
      name: '首都圏・中京・関西',
      kind: 'fit',
      when: { field: 'prefecture', op: 'in', values: ['東京都', '神奈川県', '埼玉県', '千葉県', '愛知県', '大阪府', '京都府', '兵庫県'] },
      points: 5,
    },
    {
      id: 'fit-student',
      name: '学生・求職者',
      kind: 'fit',
      when: { field: 'title', op: 'contains', values: ['学生', 'student', 'インターン', 'intern'] },
      points: -40,
    },
    {
      id: 'fit-competitor',
      name: '競合企業',
      kind: 'fit',
      when: { field: 'emailDomain', op: 'in', values: ['rival-ma.co.jp', 'competitor.example.com'] },
      points: -100,
    },
    {
      id: 'eng-pricing',
      name: '料金ページ閲覧',
      kind: 'engagement',
      when: { types: ['page_view'], urls: ['/pricing', '/price', '/料金'] },
      points: 10,
      maxCount: 5,
    },
    {
      id: 'eng-page-view',
      name: 'Webページ閲覧',
      kind: 'engagement',
      when: { types: ['page_view'] },
      points: 1,
      perPeriod: { max: 5, days: 1 },
      maxCount: 30,
    },
    { id: 'eng-download', name: '資料ダウンロード', kind: 'engagement', when: { types: ['content_download'] }, points: 20, maxCount: 5 },
    { id: 'eng-webinar-attended', name: 'ウェビナー・セミナー参加', kind: 'engagement', when: { types: ['event_attended'] }, points: 25, maxCount: 4 },
    { id: 'eng-event-registered', name: 'イベント申込', kind: 'engagement', when: { types: ['event_registered'] }, points: 5, maxCount: 4 },
    { id: 'eng-form', name: 'フォーム送信（問い合わせ・資料請求）', kind: 'engagement', when: { types: ['form_submit'] }, points: 15, maxCount: 4 },
    {
      id: 'eng-email-click',
      name: 'メールのリンククリック',
      kind: 'engagement',
      when: { types: ['email_click'] },
      points: 3,
      perPeriod: { max: 1, days: 1 },
      maxCount: 10,
    },
    {
      id: 'eng-email-open',
      name: 'メール開封',
      kind: 'engagement',
      when: { types: ['email_open'] },
      points: 1,
      perPeriod: { max: 1, days: 1 },
      maxCount: 10,
    },
    { id: 'eng-meeting', name: '商談・面談', kind: 'engagement', when: { types: ['meeting'] }, points: 15, maxCount: 3 },
    {
      id: 'eng-careers',
      name: '採用ページ閲覧（求職者）',
      kind: 'engagement',
      when: { types: ['page_view'], urls: ['/careers', '/recruit', '/jobs', '/採用'] },
      points: -15,
      maxCount: 3,
    },
    {
      id: 'eng-unsubscribe',
      name: '配信停止',
      kind: 'engagement',
      when: { types: ['unsubscribe'] },
      points: -20,
      maxCount: 1,
      halfLifeDays: null,
    },
    {
      id: 'eng-bounce',
      name: 'メール不達（バウンス）',
      kind: 'engagement',
      when: { types: ['email_bounce'] },
      points: -10,
      maxCount: 1,
      halfLifeDays: null,
    },
  ],
};

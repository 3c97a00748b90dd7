import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.ts';
import { issueFillToken } from './submit.ts';

let t: TestApp;
let campaignId: string;
beforeAll(async () => {
  t = await createTestApp();
  const c = await t.db.query<{ id: string }>(
    `INSERT INTO campaigns (workspace_id, name, channel) VALUES (1, 'ホワイトペーパー資料請求', 'document_request') RETURNING id`,
  );
  campaignId = c.rows[0].id;
});
afterAll(async () => {
  await t?.close();
});

const FIELDS = [
  { key: 'lastName', label: '姓', type: 'text', required: true },
  { key: 'firstName', label: '名', type: 'text' },
  { key: 'company', label: '会社名', type: 'text', required: true },
  { key: 'email', label: 'メールアドレス', type: 'email', required: true },
  { key: 'employeeCount', label: '従業員数', type: 'select', options: ['1〜49名', '1,000〜4,999名'] },
  { key: 'interest', label: 'ご興味のある内容', type: 'textarea' },
];

async function makeForm(body: Record<string, unknown> = {}) {
  const r = await t.call({
    method: 'POST',
    url: '/api/v1/forms',
    as: 'marketing',
    payload: {
      name: `資料請求 ${Math.random()}`,
      fields: FIELDS,
      campaignId,
      consentText: 'ご案内メールの受信に同意します',
      ...body,
    },
  });
  expect(r.statusCode).toBe(201);
  return r.json() as { id: string; name: string; hostedUrl: string; embedCode: string };
}

/** A token as if the page had been shown `seconds` ago. */
const aged = (formId: string, seconds = 10) =>
  issueFillToken(t.ctx.secret, formId, new Date(Date.now() - seconds * 1000));

const submit = (formId: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/f/${formId}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'accept-language': 'ja,en;q=0.8',
      ...headers,
    },
    payload: new URLSearchParams({ _lf_ts: aged(formId), ...fields }).toString(),
  });

const person = async (email: string) =>
  (await t.db.query<Record<string, unknown>>('SELECT * FROM people WHERE email = $1', [email])).rows[0];

describe('/api/v1/forms', () => {
  it('creates a form with its hosted URL and the embed code, and lists it with its submission count', async () => {
    const form = await makeForm({ name: '資料請求フォーム（テスト）' });
    expect(form.hostedUrl).toBe(`http://leadflow.test/f/${form.id}`);
    expect(form.embedCode).toBe(`<script async src="http://leadflow.test/f/${form.id}/embed.js"></script>`);
    const list = (await t.call({ method: 'GET', url: '/api/v1/forms', as: 'viewer' })).json();
    expect(list.items.find((f: { id: string }) => f.id === form.id)).toMatchObject({
      submissionCount: 0,
      campaignName: 'ホワイトペーパー資料請求',
    });
  });

  it('refuses a form without an e-mail field, with duplicate keys, or an unknown campaign, naming the field', async () => {
    const noEmail = await t.call({
      method: 'POST',
      url: '/api/v1/forms',
      payload: { name: 'x', fields: [FIELDS[0]] },
    });
    expect(noEmail.statusCode).toBe(422);
    expect(noEmail.json().errors).toEqual([{ path: 'fields', message: expect.stringContaining('email') }]);
    const dup = await t.call({
      method: 'POST',
      url: '/api/v1/forms',
      payload: { name: 'y', fields: [...FIELDS, FIELDS[1]] },
    });
    expect(dup.json().errors[0].path).toBe('fields[6].key');
    const camp = await t.call({
      method: 'POST',
      url: '/api/v1/forms',
      payload: { name: 'z', fields: FIELDS, campaignId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(camp.json().errors[0].path).toBe('campaignId');
    const js = await t.call({
      method: 'POST',
      url: '/api/v1/forms',
      payload: { name: 'w', fields: FIELDS, redirectUrl: 'javascript:alert(1)' },
    });
    expect(js.statusCode).toBe(400);
    expect(js.json().errors[0].path).toBe('redirectUrl');
  });

  it('lets sales read forms but only marketing change them; a duplicate name is a 409', async () => {
    const form = await makeForm();
    expect(
      (
        await t.call({
          method: 'PATCH',
          url: `/api/v1/forms/${form.id}`,
          as: 'sales',
          payload: { name: 'n' },
        })
      ).statusCode,
    ).toBe(403);
    expect((await t.call({ method: 'GET', url: `/api/v1/forms/${form.id}`, as: 'sales' })).statusCode).toBe(
      200,
    );
    const other = await makeForm();
    const clash = await t.call({
      method: 'PATCH',
      url: `/api/v1/forms/${other.id}`,
      payload: { name: form.name },
    });
    expect(clash.statusCode).toBe(409);
  });

  it('archives a form on DELETE: its page answers 404, its submissions stay', async () => {
    const form = await makeForm();
    await submit(form.id, { email: 'archived@kansai-denki.co.jp', lastName: '保存', company: '関西電機' });
    expect((await t.call({ method: 'DELETE', url: `/api/v1/forms/${form.id}` })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/f/${form.id}` })).statusCode).toBe(404);
    const n = await t.db.query<{ n: number }>(
      'SELECT count(*) AS n FROM form_submissions WHERE form_id = $1',
      [form.id],
    );
    expect(n.rows[0].n).toBe(1);
  });
});

describe('the hosted page /f/{id}', () => {
  it('renders in Japanese for a ja browser and in English for an en browser, escaping what the marketer typed', async () => {
    const form = await makeForm({ name: '<b>資料</b> & "請求"', description: '<script>alert(1)</script>' });
    const ja = await t.app.inject({
      method: 'GET',
      url: `/f/${form.id}?utm_source=google&utm_medium=cpc`,
      headers: { 'accept-language': 'ja-JP,ja;q=0.9' },
    });
    expect(ja.statusCode).toBe(200);
    expect(ja.headers['content-type']).toContain('text/html');
    expect(ja.body).toContain('<html lang="ja">');
    expect(ja.body).toContain('必須');
    expect(ja.body).toContain('送信する');
    expect(ja.body).toContain('&lt;b&gt;資料&lt;/b&gt; &amp; &quot;請求&quot;');
    expect(ja.body).not.toContain('<script>alert(1)</script>');
    expect(ja.body).toContain('name="utm_source" value="google"');
    const en = await t.app.inject({
      method: 'GET',
      url: `/f/${form.id}`,
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Submit');
  });
});

describe('POST /f/{id}', () => {
  it('upserts the lead, records the submission with consent text and UTM, joins the campaign and emits form.submitted', async () => {
    const form = await makeForm();
    const r = await submit(form.id, {
      email: 'Ｔａｒｏ.Yamada@Kansai-Denki.co.jp',
      lastName: '山田',
      firstName: '太郎',
      company: '関西電機株式会社',
      employeeCount: '1,000〜4,999名',
      interest: '導入事例',
      consent: 'on',
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'dx-2026',
      _lf_page: 'https://www.kansai-example.jp/lp?utm_source=google',
      _lf_referrer: 'https://www.google.com/',
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('お問い合わせありがとうございました');
    const p = await person('taro.yamada@kansai-denki.co.jp');
    expect(p).toMatchObject({
      last_name: '山田',
      company: '関西電機株式会社',
      employee_count: 1000,
      source: 'google',
      channel: 'ads',
      consent: true,
      stage: 'inquiry',
    });
    const s = await t.db.query<Record<string, unknown>>(
      'SELECT * FROM form_submissions WHERE person_id = $1',
      [p.id],
    );
    expect(s.rows[0]).toMatchObject({
      consent: true,
      consent_text: 'ご案内メールの受信に同意します',
      page_url: 'https://www.kansai-example.jp/lp?utm_source=google',
      referrer: 'https://www.google.com/',
      utm: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'dx-2026' },
    });
    expect(s.rows[0].answers).toMatchObject({ interest: '導入事例', employeeCount: '1,000〜4,999名' });
    const a = await t.db.query<{ type: string; campaign_id: string; properties: Record<string, unknown> }>(
      "SELECT type, campaign_id, properties FROM activities WHERE person_id = $1 AND type = 'form_submit'",
      [p.id],
    );
    expect(a.rows[0]).toMatchObject({
      campaign_id: campaignId,
      properties: { formId: form.id, submissionId: s.rows[0].id, answers: { interest: '導入事例' } },
    });
    const mine = (
      await t.call({ method: 'GET', url: `/api/v1/people/${p.id}/form-submissions`, as: 'sales' })
    ).json();
    expect(mine.items).toEqual([
      expect.objectContaining({
        formId: form.id,
        consent: true,
        consentText: 'ご案内メールの受信に同意します',
        labels: expect.objectContaining({ interest: 'ご興味のある内容' }),
      }),
    ]);
    const m = await t.db.query(
      'SELECT status FROM campaign_members WHERE campaign_id = $1 AND person_id = $2',
      [campaignId, p.id],
    );
    expect(m.rows).toHaveLength(1);
    const ev = await t.db.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM events WHERE type = 'form.submitted' AND person_id = $1",
      [p.id],
    );
    expect(ev.rows).toEqual([{ data: { formId: form.id, submissionId: s.rows[0].id, campaignId } }]);
    const marked = await t.db.query('SELECT 1 FROM scoring_dirty WHERE person_id = $1', [p.id]);
    expect(marked.rows).toHaveLength(1);
    const jobs = await t.db.query(
      "SELECT 1 FROM jobs WHERE queue = 'scoring.refresh' AND status = 'pending'",
    );
    expect(jobs.rows).toHaveLength(1);
  });

  it('never overwrites the first-touch source and channel on a later submission', async () => {
    const form = await makeForm();
    await submit(form.id, {
      email: 'first@towa-seiki.co.jp',
      lastName: '最初',
      company: '東和精機',
      utm_source: 'linkedin',
      utm_medium: 'social',
    });
    const again = await makeForm({ channel: 'webinar' });
    await submit(again.id, {
      email: 'first@towa-seiki.co.jp',
      lastName: '最初',
      company: '東和精機',
      title: '部長',
      utm_source: 'newsletter',
      utm_medium: 'email',
    });
    expect(await person('first@towa-seiki.co.jp')).toMatchObject({ source: 'linkedin', channel: 'sns' });
  });

  it('takes the source from the campaign and the channel from the form without UTM', async () => {
    const form = await makeForm();
    await submit(form.id, { email: 'plain@towa-seiki.co.jp', lastName: '直接', company: '東和精機' });
    expect(await person('plain@towa-seiki.co.jp')).toMatchObject({
      source: 'ホワイトペーパー資料請求',
      channel: 'document_request',
    });
  });

  it('validates on the server with messages in the visitor’s language, keeping the answers', async () => {
    const form = await makeForm({ consentRequired: true });
    const ja = await submit(form.id, { email: 'not-an-email', lastName: '', company: '<会社>' });
    expect(ja.statusCode).toBe(422);
    expect(ja.body).toContain('姓を入力してください。');
    expect(ja.body).toContain('メールアドレスの形式が正しくありません。');
    expect(ja.body).toContain('送信するには同意が必要です。');
    expect(ja.body).toContain('value="&lt;会社&gt;"');
    const en = await submit(
      form.id,
      { email: 'x', company: 'c' },
      { 'accept-language': 'en-US', accept: 'application/json' },
    );
    expect(en.statusCode).toBe(422);
    expect(en.headers['content-type']).toContain('application/problem+json');
    expect(en.headers['access-control-allow-origin']).toBe('*');
    expect(en.json().errors).toEqual(
      expect.arrayContaining([
        { path: 'lastName', message: '姓 is required.' },
        { path: 'email', message: 'Enter a valid e-mail address.' },
        { path: 'consent', message: 'Please agree to continue.' },
      ]),
    );
    expect(await person('x')).toBeUndefined();
    // The embed script asks for refusals as 200 {ok: false}, so the host page's console stays clean.
    const embed = await submit(
      form.id,
      { email: 'x', company: 'c', _lf_embed: '1' },
      { 'accept-language': 'en-US', accept: 'application/json' },
    );
    expect(embed.statusCode).toBe(200);
    expect(embed.json()).toMatchObject({
      ok: false,
      errors: expect.arrayContaining([{ path: 'email', message: 'Enter a valid e-mail address.' }]),
    });
  });

  it('pretends success to a bot that fills the honeypot, and stores nothing', async () => {
    const form = await makeForm();
    const r = await submit(form.id, {
      email: 'bot@spam.example',
      lastName: 'bot',
      company: 'bot',
      _lf_hp: 'http://spam.example',
    });
    expect(r.statusCode).toBe(200);
    expect(await person('bot@spam.example')).toBeUndefined();
    const f = (await t.call({ method: 'GET', url: `/api/v1/forms/${form.id}` })).json();
    expect(f.spamBlocked).toBe(1);
  });

  it('refuses a post sent faster than a person can fill the form, or without a page token', async () => {
    const form = await makeForm();
    const fast = await t.app.inject({
      method: 'POST',
      url: `/f/${form.id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ja' },
      payload: new URLSearchParams({
        _lf_ts: issueFillToken(t.ctx.secret, form.id, new Date()),
        email: 'fast@bot.example',
        lastName: 'b',
        company: 'b',
      }).toString(),
    });
    expect(fast.statusCode).toBe(422);
    expect(fast.body).toContain('送信が早すぎます');
    const none = await t.app.inject({
      method: 'POST',
      url: `/f/${form.id}`,
      headers: { 'content-type': 'application/json', 'accept-language': 'en' },
      payload: { email: 'none@bot.example', lastName: 'b', company: 'b' },
    });
    expect(none.statusCode).toBe(422);
    expect(none.json().detail).toContain('expired');
    expect(none.json().token).toEqual(expect.any(String));
    expect(await person('fast@bot.example')).toBeUndefined();
    expect(await person('none@bot.example')).toBeUndefined();
  });

  it('redirects with 303 to the form’s redirect URL, and answers JSON to the embed', async () => {
    const form = await makeForm({ redirectUrl: 'https://www.example.jp/thanks?from=form' });
    const r = await submit(form.id, {
      email: 'redirect@towa-seiki.co.jp',
      lastName: '転送',
      company: '東和精機',
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('https://www.example.jp/thanks?from=form');
    const j = await submit(
      form.id,
      { email: 'json@towa-seiki.co.jp', lastName: '転送', company: '東和精機' },
      { accept: 'application/json' },
    );
    expect(j.statusCode).toBe(200);
    expect(j.json()).toMatchObject({ ok: true, redirectUrl: 'https://www.example.jp/thanks?from=form' });
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: `/f/${form.id}`,
      headers: { origin: 'https://www.example.jp', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
  });

  it('counts a double click (the same page token twice) as one submission', async () => {
    const form = await makeForm();
    const token = aged(form.id);
    const body = new URLSearchParams({
      _lf_ts: token,
      email: 'double@towa-seiki.co.jp',
      lastName: '二重',
      company: '東和精機',
    }).toString();
    const post = () =>
      t.app.inject({
        method: 'POST',
        url: `/f/${form.id}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: body,
      });
    expect((await post()).statusCode).toBe(200);
    expect((await post()).statusCode).toBe(200);
    const p = await person('double@towa-seiki.co.jp');
    const n = await t.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM activities WHERE person_id = $1 AND type = 'form_submit'",
      [p.id],
    );
    expect(n.rows[0].n).toBe(1);
  });
});

describe('GET /f/{id}/embed.js', () => {
  it('serves the form as a script for any origin, in the visitor’s language, with every value as data', async () => {
    const form = await makeForm({ name: '</script><script>alert(1)</script>' });
    const r = await t.app.inject({
      method: 'GET',
      url: `/f/${form.id}/embed.js`,
      headers: { 'accept-language': 'en-US', origin: 'https://customer.example' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/javascript');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.body).toContain(`"action":"http://leadflow.test/f/${form.id}"`);
    expect(r.body).toContain('"submit":"Submit"');
    expect(r.body).not.toContain('</script>');
    const ja = await t.app.inject({
      method: 'GET',
      url: `/f/${form.id}/embed.js`,
      headers: { 'accept-language': 'ja' },
    });
    expect(ja.body).toContain('"submit":"送信する"');
    const missing = await t.app.inject({
      method: 'GET',
      url: '/f/00000000-0000-4000-8000-000000000000/embed.js',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('javascript');
  });
});

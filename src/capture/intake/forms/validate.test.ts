import { describe, expect, it } from 'vitest';
import { checkFields, type FormField } from './model.ts';
import { checkSubmission } from './validate.ts';

const fields: FormField[] = [
  { key: 'lastName', label: '姓', type: 'text', required: true },
  { key: 'email', label: 'メールアドレス', type: 'email', required: true },
  { key: 'phone', label: '電話番号', type: 'tel' },
  { key: 'employeeCount', label: '従業員数', type: 'number' },
  { key: 'plan', label: 'プラン', type: 'select', options: ['スタンダード', 'エンタープライズ'] },
  { key: 'demo', label: 'デモ希望', type: 'checkbox' },
];
const form = { fields, consentText: '同意します', consentRequired: false };

describe('form submission checks', () => {
  it('normalises full-width e-mails, phones and numbers and keeps only the form’s own keys', () => {
    const r = checkSubmission(
      form,
      {
        lastName: ' 髙橋 ',
        email: 'ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ',
        phone: '０３－１２３４－５６７８',
        employeeCount: '１，２００',
        demo: 'on',
        consent: 'on',
        isAdmin: 'true',
      },
      'ja',
    );
    expect(r.errors).toEqual([]);
    expect(r.answers).toEqual({
      lastName: '髙橋',
      email: 'taro@example.co.jp',
      phone: '03-1234-5678',
      employeeCount: 1200,
      demo: true,
    });
    expect(r.consent).toBe(true);
  });

  it('reports each bad field in Japanese or English', () => {
    const body = { lastName: '', email: 'x@', phone: '12', employeeCount: 'many', plan: 'フリー' };
    expect(checkSubmission(form, body, 'ja').errors).toEqual([
      { path: 'lastName', message: '姓を入力してください。' },
      { path: 'email', message: 'メールアドレスの形式が正しくありません。' },
      { path: 'phone', message: '電話番号の形式が正しくありません。' },
      { path: 'employeeCount', message: '従業員数は数値で入力してください。' },
      { path: 'plan', message: 'プランは選択肢から選んでください。' },
    ]);
    expect(
      checkSubmission({ ...form, consentRequired: true }, { lastName: 'a', email: 'a@b.jp' }, 'en').errors,
    ).toEqual([{ path: 'consent', message: 'Please agree to continue.' }]);
  });

  it('refuses a 10 MB answer with a length message instead of storing it', () => {
    const r = checkSubmission(form, { lastName: 'x'.repeat(10_000_000), email: 'a@b.jp' }, 'en');
    expect(r.errors).toEqual([{ path: 'lastName', message: '姓 must be at most 200 characters.' }]);
  });
});

describe('form definition checks', () => {
  it('needs an e-mail field, unique keys, options for a select and no field named consent', () => {
    expect(checkFields(fields)).toEqual([]);
    expect(checkFields([{ key: 'name', label: 'x', type: 'text' }])).toEqual([
      ['fields', 'a form needs a field with key "email"'],
    ]);
    expect(
      checkFields([
        { key: 'email', label: 'e', type: 'text' },
        { key: 'x', label: 'x', type: 'select' },
        { key: 'x', label: 'y', type: 'text' },
        { key: 'consent', label: 'c', type: 'checkbox' },
      ]).map(([path]) => path),
    ).toEqual(['fields[0].type', 'fields[1].options', 'fields[2].key', 'fields[3].key']);
  });
});

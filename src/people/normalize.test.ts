import { describe, expect, it } from 'vitest';
import { isFreeMailDomain, normalizeCompanyName, normalizeEmail, normalizeKana, normalizePhone } from './normalize.ts';

describe('Japanese data normalisation', () => {
  it('normalises full-width e-mail addresses and refuses non-addresses', () => {
    expect(normalizeEmail(' ＴＡＲＯ＠Ｅｘａｍｐｌｅ．ｊｐ ')).toBe('taro@example.jp');
    expect(normalizeEmail('mailto:a@b.co')).toBe('a@b.co');
    expect(normalizeEmail('no at sign')).toBeUndefined();
    expect(normalizeEmail('a@b')).toBeUndefined();
  });

  it('turns full-width phone digits half-width', () => {
    expect(normalizePhone('０３－１２３４－５６７８')).toBe('03-1234-5678');
    expect(normalizePhone('+81 (3) 1234ー5678')).toBe('+81 (3) 1234-5678');
  });

  it('widens half-width kana and leaves other characters alone', () => {
    expect(normalizeKana('ﾔﾏﾀﾞ ﾀﾛｳ')).toBe('ヤマダ タロウ');
    expect(normalizeKana('髙橋①')).toBe('髙橋①');
  });

  it('matches company names across legal-form spellings', () => {
    const a = normalizeCompanyName('株式会社 山田製作所');
    expect(normalizeCompanyName('(株)山田製作所')).toBe(a);
    expect(normalizeCompanyName('㈱山田製作所')).toBe(a);
    expect(normalizeCompanyName('山田製作所　株式会社')).toBe(a);
    expect(normalizeCompanyName('Acme Co., Ltd.')).toBe(normalizeCompanyName('ACME'));
  });

  it('knows free-mail and carrier domains', () => {
    for (const d of ['gmail.com', 'yahoo.co.jp', 'docomo.ne.jp', 'ezweb.ne.jp', 'icloud.com']) expect(isFreeMailDomain(d)).toBe(true);
    expect(isFreeMailDomain('toyota.co.jp')).toBe(false);
  });
});

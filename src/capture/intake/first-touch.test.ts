import { describe, expect, it } from 'vitest';
import { firstTouch, utmFromUrl } from './first-touch.ts';

const form = { source: '資料請求フォーム', channel: 'document_request' };

describe('first touch', () => {
  it('reads the five UTM parameters of a landing URL and ignores the rest', () => {
    expect(
      utmFromUrl('https://example.jp/lp?utm_source=google&utm_medium=cpc&utm_campaign=dx&gclid=1&utm_term='),
    ).toEqual({
      utm_source: 'google',
      utm_medium: 'cpc',
      utm_campaign: 'dx',
    });
    expect(utmFromUrl('not a url?utm_source=x')).toEqual({ utm_source: 'x' });
    expect(utmFromUrl(null)).toEqual({});
  });

  it('maps utm_medium to a channel: paid search is advertising, e-mail is the newsletter, social is SNS', () => {
    expect(firstTouch({ utm_source: 'google', utm_medium: 'cpc' }, null, form)).toEqual({
      source: 'google',
      channel: 'ads',
    });
    expect(firstTouch({ utm_source: 'mailmag', utm_medium: 'email' }, null, form)).toEqual({
      source: 'mailmag',
      channel: 'newsletter',
    });
    expect(firstTouch({ utm_source: 'linkedin', utm_medium: 'social' }, null, form)).toEqual({
      source: 'linkedin',
      channel: 'sns',
    });
  });

  it('keeps the form’s channel for an unknown medium, and reads a search or social referrer without UTM', () => {
    expect(firstTouch({ utm_source: 'partner-x', utm_medium: 'weird' }, null, form)).toEqual({
      source: 'partner-x',
      channel: 'document_request',
    });
    expect(firstTouch({}, 'https://www.google.co.jp/search?q=x', form)).toEqual({
      source: '資料請求フォーム',
      channel: 'web',
    });
    expect(firstTouch({}, 'https://x.com/someone', form)).toEqual({
      source: '資料請求フォーム',
      channel: 'sns',
    });
    expect(firstTouch({}, null, form)).toEqual(form);
    expect(firstTouch({}, 'https://blog.example.jp/post', { source: null, channel: 'api' })).toEqual({
      source: 'blog.example.jp',
      channel: 'api',
    });
  });
});

import type { Messages } from '../../../platform/i18n.ts';

/** Strings shown to form visitors, in their language (pickLocale). */
export const formMessages: Messages<
  | 'required'
  | 'email'
  | 'tel'
  | 'number'
  | 'select'
  | 'tooLong'
  | 'consent'
  | 'tooFast'
  | 'expired'
  | 'submit'
  | 'thanks'
  | 'fix'
  | 'requiredMark'
  | 'notFound'
  | 'network'
  | 'choose'
  | 'sending'
> = {
  ja: {
    required: '{label}を入力してください。',
    email: 'メールアドレスの形式が正しくありません。',
    tel: '電話番号の形式が正しくありません。',
    number: '{label}は数値で入力してください。',
    select: '{label}は選択肢から選んでください。',
    tooLong: '{label}は{max}文字以内で入力してください。',
    consent: '送信するには同意が必要です。',
    tooFast: '送信が早すぎます。数秒待ってから、もう一度送信してください。',
    expired: 'ページの有効期限が切れました。お手数ですが、もう一度送信してください。',
    submit: '送信する',
    thanks: 'お問い合わせありがとうございました。担当者よりご連絡いたします。',
    fix: '入力内容をご確認ください。',
    requiredMark: '必須',
    notFound: 'フォームが見つかりません。',
    network: '送信できませんでした。時間をおいて、もう一度お試しください。',
    choose: '選択してください',
    sending: '送信中…',
  },
  en: {
    required: '{label} is required.',
    email: 'Enter a valid e-mail address.',
    tel: 'Enter a valid phone number.',
    number: '{label} must be a number.',
    select: 'Choose one of the options for {label}.',
    tooLong: '{label} must be at most {max} characters.',
    consent: 'Please agree to continue.',
    tooFast: 'That was too fast. Please wait a few seconds and submit again.',
    expired: 'This page has expired. Please submit again.',
    submit: 'Submit',
    thanks: 'Thank you. We have received your submission and will be in touch.',
    fix: 'Please check the highlighted fields.',
    requiredMark: 'Required',
    notFound: 'Form not found.',
    network: 'Your submission could not be sent. Please try again later.',
    choose: 'Please choose',
    sending: 'Sending…',
  },
};

/** UTM parameters as captured from a landing page URL. */
export interface Utm {
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_term?: string;
  utm_content?: string;
}

export const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

/** The UTM parameters of a URL (or of a query string); unknown or empty ones are dropped. */
export function utmFromUrl(url: string | null | undefined): Utm {
  if (!url) return {};
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    params = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : url);
  }
  return pickUtm(Object.fromEntries(params));
}

/** Keeps the five UTM keys with non-empty values, trimmed to 200 characters. */
export function pickUtm(values: Record<string, unknown>): Utm {
  const out: Utm = {};
  for (const key of UTM_KEYS) {
    const v = values[key];
    if (typeof v === 'string' && v.trim()) out[key] = v.trim().slice(0, 200);
  }
  return out;
}

// utm_medium values as marketers and ad platforms write them, mapped to the channel keys of
// src/people/channels.ts.
const MEDIUM_CHANNELS: [RegExp, string][] = [
  [/^(cpc|ppc|paid|paidsearch|paid[_-]?search|display|banner|cpm|ads?|retargeting|affiliate)$/i, 'ads'],
  [/^(e-?mail|newsletter|mail|mailmagazine|merumaga|メルマガ)$/i, 'newsletter'],
  [/^(social|sns|social[_-]?media|paid[_-]?social)$/i, 'sns'],
  [/^(referral|partner)$/i, 'referral'],
  [/^(organic|seo)$/i, 'web'],
  [/^(webinar)$/i, 'webinar'],
  [/^(seminar|event)$/i, 'seminar'],
];

const SOCIAL_HOSTS = /(^|\.)(facebook|twitter|x|linkedin|instagram|t|youtube|note|line)\.(com|co|me|jp)$/i;
const SEARCH_HOSTS = /(^|\.)(google|bing|yahoo|duckduckgo|baidu|naver)\.[a-z.]+$/i;

export interface FirstTouch {
  source: string | null;
  channel: string | null;
}

/**
 * The first-touch source and channel of a person from how they arrived: UTM parameters win,
 * then the referrer (a search engine is organic web, a social site is SNS), then the fallback
 * (the form's or campaign's channel). These only ever fill empty fields (upsertPerson).
 */
export function firstTouch(utm: Utm, referrer: string | null | undefined, fallback: FirstTouch): FirstTouch {
  const mediumChannel = utm.utm_medium
    ? MEDIUM_CHANNELS.find(([re]) => re.test(utm.utm_medium ?? ''))?.[1]
    : undefined;
  const refHost = hostOf(referrer);
  let refChannel: string | undefined;
  if (refHost && SEARCH_HOSTS.test(refHost)) refChannel = 'web';
  else if (refHost && SOCIAL_HOSTS.test(refHost)) refChannel = 'sns';
  return {
    source: utm.utm_source ?? fallback.source ?? refHost ?? null,
    channel:
      mediumChannel ??
      (utm.utm_source ? fallback.channel : undefined) ??
      refChannel ??
      fallback.channel ??
      null,
  };
}

function hostOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.replace(/^www\./, '') || undefined;
  } catch {
    return undefined;
  }
}

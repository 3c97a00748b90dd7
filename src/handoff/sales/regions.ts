/**
 * Japan's 47 prefectures and the regions sales territories are drawn on (関東, 関西…). Pure.
 * A person's prefecture may be written 東京, 東京都, Tokyo or TOKYO-TO: all normalise to 東京都.
 */
export const REGIONS: Record<string, readonly string[]> = {
  北海道: ['北海道'],
  東北: ['青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県'],
  関東: ['茨城県', '栃木県', '群馬県', '埼玉県', '千葉県', '東京都', '神奈川県'],
  中部: ['新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県', '岐阜県', '静岡県', '愛知県'],
  関西: ['三重県', '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県'],
  中国: ['鳥取県', '島根県', '岡山県', '広島県', '山口県'],
  四国: ['徳島県', '香川県', '愛媛県', '高知県'],
  九州: ['福岡県', '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県'],
};

/** Other names of the regions (近畿 is 関西, 東海 and 北陸 are parts of 中部, English names). */
const REGION_ALIASES: Record<string, string[]> = {
  近畿: REGIONS.関西 as string[],
  東海: ['岐阜県', '静岡県', '愛知県', '三重県'],
  北陸: ['新潟県', '富山県', '石川県', '福井県'],
  甲信越: ['新潟県', '山梨県', '長野県'],
  '九州・沖縄': REGIONS.九州 as string[],
  hokkaido: REGIONS.北海道 as string[],
  tohoku: REGIONS.東北 as string[],
  kanto: REGIONS.関東 as string[],
  chubu: REGIONS.中部 as string[],
  kansai: REGIONS.関西 as string[],
  kinki: REGIONS.関西 as string[],
  chugoku: REGIONS.中国 as string[],
  shikoku: REGIONS.四国 as string[],
  kyushu: REGIONS.九州 as string[],
};

const ROMAJI: Record<string, string> = {
  hokkaido: '北海道',
  aomori: '青森県',
  iwate: '岩手県',
  miyagi: '宮城県',
  akita: '秋田県',
  yamagata: '山形県',
  fukushima: '福島県',
  ibaraki: '茨城県',
  tochigi: '栃木県',
  gunma: '群馬県',
  saitama: '埼玉県',
  chiba: '千葉県',
  tokyo: '東京都',
  kanagawa: '神奈川県',
  niigata: '新潟県',
  toyama: '富山県',
  ishikawa: '石川県',
  fukui: '福井県',
  yamanashi: '山梨県',
  nagano: '長野県',
  gifu: '岐阜県',
  shizuoka: '静岡県',
  aichi: '愛知県',
  mie: '三重県',
  shiga: '滋賀県',
  kyoto: '京都府',
  osaka: '大阪府',
  hyogo: '兵庫県',
  nara: '奈良県',
  wakayama: '和歌山県',
  tottori: '鳥取県',
  shimane: '島根県',
  okayama: '岡山県',
  hiroshima: '広島県',
  yamaguchi: '山口県',
  tokushima: '徳島県',
  kagawa: '香川県',
  ehime: '愛媛県',
  kochi: '高知県',
  fukuoka: '福岡県',
  saga: '佐賀県',
  nagasaki: '長崎県',
  kumamoto: '熊本県',
  oita: '大分県',
  miyazaki: '宮崎県',
  kagoshima: '鹿児島県',
  okinawa: '沖縄県',
};

export const PREFECTURES: readonly string[] = Object.values(REGIONS).flat();

const BY_STEM = new Map(PREFECTURES.map((p) => [p === '北海道' ? p : p.slice(0, -1), p]));

/** The canonical prefecture name (東京都) of a free-text value, or null when it names none. */
export function normalizePrefecture(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.normalize('NFKC').trim();
  if (!v) return null;
  if (PREFECTURES.includes(v)) return v;
  const stem = BY_STEM.get(v);
  if (stem) return stem;
  const latin = v
    .toLowerCase()
    .replace(/[-\s]*(to|fu|ken|prefecture|pref\.?)$/, '')
    .replace(/[ōô]/g, 'o')
    .replace(/[ūû]/g, 'u');
  return ROMAJI[latin] ?? null;
}

/** The prefectures of a region name (関東, 近畿, Kansai…), or undefined for an unknown name. */
export function prefecturesOfRegion(name: string): readonly string[] | undefined {
  const v = name.normalize('NFKC').trim();
  return REGIONS[v] ?? REGION_ALIASES[v] ?? REGION_ALIASES[v.toLowerCase()];
}

/** The main region (関東…) of a prefecture, or null. */
export function regionOf(prefecture: string | null | undefined): string | null {
  const p = normalizePrefecture(prefecture);
  if (!p) return null;
  for (const [region, list] of Object.entries(REGIONS)) if (list.includes(p)) return region;
  return null;
}

/** The cast of the demo story: fictional companies and common Japanese names with their readings. */

export interface Company {
  name: string;
  domain: string;
  industry: string;
  employees: number;
  prefecture: string;
}

export const COMPANIES: readonly Company[] = [
  { name: '東和精機株式会社', domain: 'towa-seiki.co.jp', industry: '製造業', employees: 1500, prefecture: '愛知県' },
  { name: '株式会社みなと製作所', domain: 'minato-ss.co.jp', industry: '製造業', employees: 820, prefecture: '神奈川県' },
  { name: '北斗電子工業株式会社', domain: 'hokuto-denshi.co.jp', industry: '製造業', employees: 3200, prefecture: '東京都' },
  { name: '髙木化学株式会社', domain: 'takagi-chem.co.jp', industry: '製造業', employees: 640, prefecture: '大阪府' },
  { name: '株式会社さくら自動車部品', domain: 'sakura-ap.co.jp', industry: '製造業', employees: 2100, prefecture: '静岡県' },
  { name: '株式会社アオバシステムズ', domain: 'aoba-systems.co.jp', industry: '情報通信業', employees: 450, prefecture: '宮城県' },
  { name: 'ネクストクラウド株式会社', domain: 'nextcloud-jp.co.jp', industry: 'ソフトウェア', employees: 180, prefecture: '東京都' },
  { name: '株式会社データブリッジ', domain: 'databridge.co.jp', industry: '情報通信業', employees: 95, prefecture: '東京都' },
  { name: '株式会社ソラテック', domain: 'soratech.jp', industry: 'ソフトウェア', employees: 60, prefecture: '福岡県' },
  { name: '日本ロジスティクス株式会社', domain: 'nippon-logi.co.jp', industry: '物流・運輸', employees: 5400, prefecture: '東京都' },
  { name: '株式会社関西運輸', domain: 'kansai-unyu.co.jp', industry: '物流・運輸', employees: 730, prefecture: '兵庫県' },
  { name: '大和商事株式会社', domain: 'yamato-shoji.co.jp', industry: '卸売業', employees: 1200, prefecture: '大阪府' },
  { name: '株式会社丸越', domain: 'marukoshi.co.jp', industry: '小売業', employees: 2600, prefecture: '東京都' },
  { name: '株式会社グリーンマート', domain: 'greenmart.co.jp', industry: '小売業', employees: 380, prefecture: '埼玉県' },
  { name: '第一みらい銀行', domain: 'daiichi-mirai-bk.co.jp', industry: '金融業', employees: 4100, prefecture: '東京都' },
  { name: 'あおぞら保険株式会社', domain: 'aozora-ins.co.jp', industry: '金融業', employees: 1800, prefecture: '東京都' },
  { name: '株式会社中央建設', domain: 'chuo-kensetsu.co.jp', industry: '建設業', employees: 960, prefecture: '東京都' },
  { name: '株式会社北陸ハウス', domain: 'hokuriku-house.co.jp', industry: '建設業', employees: 240, prefecture: '石川県' },
  { name: '医療法人 青葉会', domain: 'aobakai.or.jp', industry: '医療・ヘルスケア', employees: 700, prefecture: '宮城県' },
  { name: '株式会社メディカルリンク', domain: 'medicallink.co.jp', industry: '医療・ヘルスケア', employees: 150, prefecture: '東京都' },
  { name: '学校法人 桜ヶ丘学園', domain: 'sakuragaoka.ac.jp', industry: '教育', employees: 320, prefecture: '京都府' },
  { name: '株式会社エデュプラス', domain: 'eduplus.co.jp', industry: '教育', employees: 85, prefecture: '東京都' },
  { name: '三友不動産株式会社', domain: 'sanyu-re.co.jp', industry: '不動産', employees: 540, prefecture: '東京都' },
  { name: '株式会社キャリアステージ', domain: 'careerstage.co.jp', industry: '人材サービス', employees: 1100, prefecture: '東京都' },
  { name: '株式会社ひかり食品', domain: 'hikari-foods.co.jp', industry: '製造業', employees: 1350, prefecture: '北海道' },
  { name: '瀬戸内造船株式会社', domain: 'setouchi-zosen.co.jp', industry: '製造業', employees: 2800, prefecture: '広島県' },
  { name: '株式会社九州エナジー', domain: 'kyushu-energy.co.jp', industry: 'エネルギー', employees: 3900, prefecture: '福岡県' },
  { name: '株式会社信州精密', domain: 'shinshu-seimitsu.co.jp', industry: '製造業', employees: 410, prefecture: '長野県' },
  { name: '株式会社ウェブフロンティア', domain: 'webfrontier.jp', industry: '情報通信業', employees: 40, prefecture: '大阪府' },
  { name: '株式会社トラベルコネクト', domain: 'travelconnect.co.jp', industry: 'サービス業', employees: 260, prefecture: '沖縄県' },
  { name: '株式会社名古屋機工', domain: 'nagoya-kiko.co.jp', industry: '製造業', employees: 670, prefecture: '愛知県' },
  { name: 'ミライ薬品株式会社', domain: 'mirai-pharma.co.jp', industry: '医療・ヘルスケア', employees: 2300, prefecture: '大阪府' },
];

export interface Name {
  kanji: string;
  kana: string;
  romaji: string;
}

export const FAMILY_NAMES: readonly Name[] = [
  { kanji: '佐藤', kana: 'サトウ', romaji: 'sato' },
  { kanji: '鈴木', kana: 'スズキ', romaji: 'suzuki' },
  { kanji: '高橋', kana: 'タカハシ', romaji: 'takahashi' },
  { kanji: '髙橋', kana: 'タカハシ', romaji: 'takahashi' },
  { kanji: '田中', kana: 'タナカ', romaji: 'tanaka' },
  { kanji: '伊藤', kana: 'イトウ', romaji: 'ito' },
  { kanji: '渡辺', kana: 'ワタナベ', romaji: 'watanabe' },
  { kanji: '山本', kana: 'ヤマモト', romaji: 'yamamoto' },
  { kanji: '中村', kana: 'ナカムラ', romaji: 'nakamura' },
  { kanji: '小林', kana: 'コバヤシ', romaji: 'kobayashi' },
  { kanji: '加藤', kana: 'カトウ', romaji: 'kato' },
  { kanji: '吉田', kana: 'ヨシダ', romaji: 'yoshida' },
  { kanji: '山田', kana: 'ヤマダ', romaji: 'yamada' },
  { kanji: '佐々木', kana: 'ササキ', romaji: 'sasaki' },
  { kanji: '山口', kana: 'ヤマグチ', romaji: 'yamaguchi' },
  { kanji: '松本', kana: 'マツモト', romaji: 'matsumoto' },
  { kanji: '井上', kana: 'イノウエ', romaji: 'inoue' },
  { kanji: '木村', kana: 'キムラ', romaji: 'kimura' },
  { kanji: '林', kana: 'ハヤシ', romaji: 'hayashi' },
  { kanji: '斎藤', kana: 'サイトウ', romaji: 'saito' },
  { kanji: '清水', kana: 'シミズ', romaji: 'shimizu' },
  { kanji: '森', kana: 'モリ', romaji: 'mori' },
  { kanji: '池田', kana: 'イケダ', romaji: 'ikeda' },
  { kanji: '橋本', kana: 'ハシモト', romaji: 'hashimoto' },
  { kanji: '阿部', kana: 'アベ', romaji: 'abe' },
  { kanji: '石川', kana: 'イシカワ', romaji: 'ishikawa' },
  { kanji: '前田', kana: 'マエダ', romaji: 'maeda' },
  { kanji: '藤田', kana: 'フジタ', romaji: 'fujita' },
  { kanji: '小川', kana: 'オガワ', romaji: 'ogawa' },
  { kanji: '岡田', kana: 'オカダ', romaji: 'okada' },
  { kanji: '長谷川', kana: 'ハセガワ', romaji: 'hasegawa' },
  { kanji: '村上', kana: 'ムラカミ', romaji: 'murakami' },
];

export const GIVEN_NAMES: readonly Name[] = [
  { kanji: '健一', kana: 'ケンイチ', romaji: 'kenichi' },
  { kanji: '誠', kana: 'マコト', romaji: 'makoto' },
  { kanji: '翔', kana: 'ショウ', romaji: 'sho' },
  { kanji: '大輔', kana: 'ダイスケ', romaji: 'daisuke' },
  { kanji: '直樹', kana: 'ナオキ', romaji: 'naoki' },
  { kanji: '美咲', kana: 'ミサキ', romaji: 'misaki' },
  { kanji: '陽子', kana: 'ヨウコ', romaji: 'yoko' },
  { kanji: '恵', kana: 'メグミ', romaji: 'megumi' },
  { kanji: '由美', kana: 'ユミ', romaji: 'yumi' },
  { kanji: '拓也', kana: 'タクヤ', romaji: 'takuya' },
  { kanji: '亮', kana: 'リョウ', romaji: 'ryo' },
  { kanji: '彩', kana: 'アヤ', romaji: 'aya' },
  { kanji: '真由美', kana: 'マユミ', romaji: 'mayumi' },
  { kanji: '浩', kana: 'ヒロシ', romaji: 'hiroshi' },
  { kanji: '智子', kana: 'トモコ', romaji: 'tomoko' },
  { kanji: '隆', kana: 'タカシ', romaji: 'takashi' },
  { kanji: '愛', kana: 'アイ', romaji: 'ai' },
  { kanji: '和也', kana: 'カズヤ', romaji: 'kazuya' },
  { kanji: '裕子', kana: 'ユウコ', romaji: 'yuko' },
  { kanji: '健太', kana: 'ケンタ', romaji: 'kenta' },
  { kanji: '聡', kana: 'サトシ', romaji: 'satoshi' },
  { kanji: '舞', kana: 'マイ', romaji: 'mai' },
  { kanji: '剛', kana: 'ツヨシ', romaji: 'tsuyoshi' },
  { kanji: '千尋', kana: 'チヒロ', romaji: 'chihiro' },
];

export const DEPARTMENTS = ['情報システム部', '営業部', 'マーケティング部', '経営企画部', '総務部', '製造部', '購買部', '人事部', 'DX推進室'] as const;

export const TITLES: readonly (readonly [string, number])[] = [
  ['担当', 30],
  ['主任', 14],
  ['係長', 10],
  ['課長', 16],
  ['部長', 10],
  ['情報システム部長', 3],
  ['本部長', 4],
  ['執行役員', 3],
  ['取締役', 2],
  ['マネージャー', 8],
];

export const PAGES: readonly (readonly [string, number])[] = [
  ['/', 20],
  ['/product', 16],
  ['/product/features', 10],
  ['/pricing', 8],
  ['/case-studies', 8],
  ['/case-studies/manufacturing', 5],
  ['/blog/lead-nurturing', 7],
  ['/blog/mql-definition', 6],
  ['/whitepaper', 5],
  ['/seminar', 4],
  ['/company', 3],
  ['/careers', 2],
];

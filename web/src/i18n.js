// i18n.js — the dashboard's two languages, English and Japanese: every text
// of the page by key, the language choice (the switch, else the browser's
// language), and numbers and dates formatted for the chosen locale.
//
// t('key', {name: value}) gives the text in the current language with
// {name} replaced; a key missing in Japanese falls back to English, a key
// missing in both is shown as itself (the e2e test checks none is). Elements
// with data-i18n="key" get their text from applyStatic(), data-i18n-title
// and data-i18n-placeholder their attributes.

const LANG_KEY = 'xsell.lang';

const en = {
  title: 'xsell dashboard',
  lang_label: 'Language',
  key_label: 'API key',
  connect: 'Connect',
  forget: 'Forget',
  period_label: 'Period',
  period_month: 'month',
  period_quarter: 'quarter',
  period_year: 'year',
  status_enter_key: 'Enter an API key (xsell apikey create --scope read).',
  status_forgotten: 'Key forgotten. Enter an API key.',
  status_loading: 'Loading…',
  status_connected: 'Connected: {n} customers scored as of {date}.',
  status_refused: 'API key refused: {message}',
  status_no_chart: 'Chart.js did not load (/assets/chart.umd.min.js)',
  cap_mrr: 'MRR and net / gross revenue retention',
  cap_movements: 'MRR movements',
  cap_motions: 'Upsell, cross-sell and downsell',
  cap_funnel: 'Offer funnel (all periods)',
  cap_health: 'Health scores',
  cap_segments: 'Customers by health segment',
  cap_guardrails: 'Guardrails: candidates held back now',
  guard_total:
    '({offered} offered of {candidates} candidates, {customers} customers, as of {date}; {limit} more ranked below the per-customer limit)',
  card: '{label} ({period})',
  card_mrr: 'MRR',
  card_arr: 'ARR',
  card_nrr: 'NRR',
  card_grr: 'GRR',
  card_customers: 'Customers',
  card_logo_churn: 'Logo churn',
  ds_mrr: 'MRR',
  ds_nrr: 'NRR',
  ds_grr: 'GRR',
  axis_retention: 'retention',
  ds_new: 'new',
  ds_expansion: 'expansion (upsell)',
  ds_reactivation: 'reactivation',
  ds_contraction: 'contraction (downsell)',
  ds_churned: 'churned',
  ds_upsold: 'customers upsold',
  ds_xs_proposed: 'cross-sell proposed',
  ds_xs_accepted: 'cross-sell accepted',
  ds_ds_offers: 'downsell offers',
  ds_ds_saved: 'downsell saved',
  funnel_proposed: 'proposed',
  funnel_accepted: 'accepted',
  funnel_declined: 'declined',
  funnel_ignored: 'ignored',
  funnel_pending: 'pending',
  ds_offers: 'offers',
  ds_customers: 'customers',
  ds_suppressed: 'candidates suppressed',
  ds_ev_held: 'expected value held back',
  axis_candidates: 'candidates',
  axis_ev: 'expected value',
  h_targets: 'Targets',
  targets_total: '({shown} of {total})',
  th_rank: '#',
  th_customer: 'customer',
  th_top_offer: 'top offer',
  th_ev: 'expected value',
  th_health: 'health',
  th_loyalty: 'loyalty',
  h_customer: 'Customer',
  customer_hint: 'Click a target to see its offers.',
  customer_summary: 'health {health} ({segment}), MRR {mrr}, LTV {ltv}, as of {date}',
  no_offers: ' — no offers',
  th_kind: 'kind',
  th_product: 'product',
  th_p: 'P(accept)',
  th_channel: 'channel',
  h_together: 'What goes with…',
  item_placeholder: 'item id',
  show: 'Show',
  th_item: 'item',
  th_score: 'score',
  th_count: 'count',
  h_rules: 'Rules',
  rules_total: '({shown} of {total}, {baskets} baskets)',
  th_if: 'if bought',
  th_then: 'then',
  th_support: 'support',
  th_confidence: 'confidence',
  th_lift: 'lift',
  h_experiments: 'Experiments',
  experiments_note: 'each arm against its random holdout, 95% confidence intervals',
  no_experiments:
    'No holdout experiments yet: start one with xsell experiment start --db FILE --name NAME --kind upsell.',
  exp_head: '{name}: {kind}, {split}, {start} to {until}{running}',
  exp_running: ' (running)',
  th_arm: 'arm',
  th_customers: 'customers',
  th_offers_sent: 'offers sent',
  th_accepted: 'accepted',
  srm: 'sample ratio: chi² {chi2}, p {p}',
  srm_bad: ': MISMATCH with the planned split, the lifts may be biased',
  srm_ok: ': matches the planned split',
  cap_exp_arr: 'ARR change per customer vs. holdout',
  cap_exp_share: 'customers expanding / retained vs. holdout',
  axis_lift_money: 'lift (currency per customer)',
  axis_lift_pp: 'lift (percentage points)',
  ds_ci: '95% CI',
  ds_estimate: 'estimate',
  th_metric: 'metric',
  th_holdout: 'holdout',
  th_arm_value: 'arm',
  th_lift_value: 'lift',
  th_ci: '95% CI',
  th_p_value: 'p',
  metric_arr_change: 'ARR change',
  metric_expanded: 'customers expanding',
  metric_retained: 'customers retained',
  short_arr_change: 'ARR change',
  short_expanded: 'expanding',
  short_retained: 'retained',
  h_plan: 'Plan under capacity',
  plan_none: 'No plan stored: build one with xsell build --db FILE --capacity SPEC (docs/plan.md).',
  plan_total: '({offers} offers to {customers} customers, {days}-day period, as of {date})',
  plan_summary: 'Planned value {value} against {greedy} for today\'s per-customer ranking under the same capacity: {gain} ({pct}) more; upper bound {bound}, solver {solver}.',
  th_constraint: 'constraint',
  th_owner: 'owner',
  th_capacity: 'capacity',
  th_used: 'used',
  th_greedy_used: 'greedy used',
  th_shadow: 'one more is worth',
  customer_plan: 'In the plan: {offers}.',
  customer_plan_none: 'The plan gives this customer no offer this period.',
  h_replays: 'Replays before rollout',
  replays_note: 'estimated value per decision, 95% CI',
  replays_none: 'No replay saved yet: xsell replay --db FILE --policy CONFIG --save (docs/replay.md).',
  th_ran_at: 'run',
  th_policy: 'policy',
  th_decisions: 'decisions',
  th_logged: 'logged',
  th_dr: 'DR estimate',
  th_ess: 'ESS',
  uplift_basis: 'uplift {uplift} (randomised evidence)',
  propensity_basis: 'P(accept) {p}',
  h_uplift: 'The difference offers make',
  uplift_note: 'uplift per kind from the holdout experiments',
  th_basis: 'valued by',
  th_experiment: 'experiment',
  th_treated: 'treated / holdout',
  th_mean_uplift: 'mean uplift',
  th_negative: 'negative uplift',
  basis_uplift: 'uplift × value − contact cost',
  basis_propensity: 'P(accept) × value',
  customer_uplift: 'Uplift: {list}.',
};

const ja = {
  title: 'xsell ダッシュボード',
  lang_label: '言語',
  key_label: 'APIキー',
  connect: '接続',
  forget: 'キーを消去',
  period_label: '期間',
  period_month: '月次',
  period_quarter: '四半期',
  period_year: '年次',
  status_enter_key: 'APIキーを入力してください（xsell apikey create --scope read で発行）。',
  status_forgotten: 'キーを消去しました。APIキーを入力してください。',
  status_loading: '読み込み中…',
  status_connected: '接続しました：{date} 時点で {n} 社の顧客をスコアリング済みです。',
  status_refused: 'APIキーが拒否されました：{message}',
  status_no_chart: 'Chart.js を読み込めませんでした（/assets/chart.umd.min.js）',
  cap_mrr: 'MRR と売上継続率（NRR・GRR）',
  cap_movements: 'MRR の増減内訳',
  cap_motions: 'アップセル・クロスセル・ダウンセル',
  cap_funnel: '提案ファネル（全期間）',
  cap_health: 'ヘルススコアの分布',
  cap_segments: 'ヘルス区分別の顧客数',
  cap_guardrails: 'ガードレール：いま見送っている提案候補',
  guard_total:
    '（候補 {candidates} 件中 {offered} 件を提案、顧客 {customers} 社、{date} 時点。ほかに {limit} 件は1社あたりの提案上限を超えたため見送り）',
  card: '{label}（{period}）',
  card_mrr: 'MRR',
  card_arr: 'ARR',
  card_nrr: 'NRR（売上継続率）',
  card_grr: 'GRR（総売上継続率）',
  card_customers: '顧客数',
  card_logo_churn: '解約率（社数）',
  ds_mrr: 'MRR',
  ds_nrr: 'NRR',
  ds_grr: 'GRR',
  axis_retention: '継続率',
  ds_new: '新規',
  ds_expansion: '拡大（アップセル）',
  ds_reactivation: '再開',
  ds_contraction: '縮小（ダウンセル）',
  ds_churned: '解約',
  ds_upsold: 'アップセルした顧客',
  ds_xs_proposed: 'クロスセル提案',
  ds_xs_accepted: 'クロスセル成約',
  ds_ds_offers: 'ダウンセル提案',
  ds_ds_saved: 'ダウンセルで継続',
  funnel_proposed: '提案',
  funnel_accepted: '成約',
  funnel_declined: '辞退',
  funnel_ignored: '反応なし',
  funnel_pending: '回答待ち',
  ds_offers: '提案',
  ds_customers: '顧客数',
  ds_suppressed: '見送った候補',
  ds_ev_held: '見送った期待価値',
  axis_candidates: '候補数',
  axis_ev: '期待価値',
  h_targets: '提案対象',
  targets_total: '（{total} 社中 {shown} 社）',
  th_rank: '#',
  th_customer: '顧客',
  th_top_offer: '最有力の提案',
  th_ev: '期待価値',
  th_health: 'ヘルス',
  th_loyalty: 'ロイヤルティ',
  h_customer: '顧客',
  customer_hint: '提案対象の行を選ぶと、その顧客への提案を表示します。',
  customer_summary: 'ヘルス {health}（{segment}）、MRR {mrr}、LTV {ltv}、{date} 時点',
  no_offers: ' — 提案なし',
  th_kind: '種類',
  th_product: '商品',
  th_p: '受諾確率',
  th_channel: 'チャネル',
  h_together: '一緒に買われる商品',
  item_placeholder: '商品ID',
  show: '表示',
  th_item: '商品',
  th_score: 'スコア',
  th_count: '件数',
  h_rules: '併買ルール',
  rules_total: '（全 {total} 件中 {shown} 件、バスケット {baskets} 件）',
  th_if: '購入した商品',
  th_then: '一緒に買われる商品',
  th_support: '支持度',
  th_confidence: '確信度',
  th_lift: 'リフト',
  h_experiments: '実験',
  experiments_note: '各群をランダムなホールドアウト群と比較（95% 信頼区間）',
  no_experiments:
    'ホールドアウト実験はまだありません。xsell experiment start --db FILE --name NAME --kind upsell で開始できます。',
  exp_head: '{name}：{kind}、{split}、{start} 〜 {until}{running}',
  exp_running: '（実施中）',
  th_arm: '群',
  th_customers: '顧客数',
  th_offers_sent: '送った提案',
  th_accepted: '成約',
  srm: 'サンプル比：カイ二乗 {chi2}、p {p}',
  srm_bad: '：計画した配分と一致しません。効果の推定が偏っている可能性があります',
  srm_ok: '：計画した配分どおりです',
  cap_exp_arr: '顧客あたり ARR 変化（ホールドアウト比）',
  cap_exp_share: '拡大・継続した顧客の割合（ホールドアウト比）',
  axis_lift_money: '効果（顧客あたり金額）',
  axis_lift_pp: '効果（パーセントポイント）',
  ds_ci: '95% 信頼区間',
  ds_estimate: '推定値',
  th_metric: '指標',
  th_holdout: 'ホールドアウト',
  th_arm_value: '群',
  th_lift_value: '効果',
  th_ci: '95% 信頼区間',
  th_p_value: 'p',
  metric_arr_change: 'ARR の変化',
  metric_expanded: '拡大した顧客',
  metric_retained: '継続した顧客',
  short_arr_change: 'ARR 変化',
  short_expanded: '拡大',
  short_retained: '継続',
  h_plan: 'キャパシティ内の全体計画',
  plan_none: '計画はまだありません。xsell build --db FILE --capacity SPEC で作成できます（docs/plan.md）。',
  plan_total: '（{customers} 社に {offers} 件、{days} 日間、{date} 時点）',
  plan_summary: '計画の期待価値は {value}。同じキャパシティで顧客ごとに順位づけする現行方式（{greedy}）より {gain}（{pct}）多く、上限は {bound}（ソルバー {solver}）。',
  th_constraint: '制約',
  th_owner: '担当',
  th_capacity: '上限',
  th_used: '使用',
  th_greedy_used: '現行方式の使用',
  th_shadow: 'あと1枠の価値',
  customer_plan: '計画での提案：{offers}。',
  customer_plan_none: 'この期間、計画ではこの顧客に提案しません。',
  h_replays: '展開前のリプレイ評価',
  replays_note: '1判断あたりの推定価値（95% 信頼区間）',
  replays_none: '保存されたリプレイはまだありません。xsell replay --db FILE --policy CONFIG --save で実行できます（docs/replay.md）。',
  th_ran_at: '実行',
  th_policy: 'ポリシー',
  th_decisions: '判断数',
  th_logged: '実績',
  th_dr: 'DR 推定',
  th_ess: '有効サンプル数',
  uplift_basis: 'アップリフト {uplift}（無作為化された根拠）',
  propensity_basis: '受諾確率 {p}',
  h_uplift: '提案がもたらす差',
  uplift_note: 'ホールドアウト実験から推定した種類別アップリフト',
  th_basis: '評価方法',
  th_experiment: '実験',
  th_treated: '介入群 / ホールドアウト',
  th_mean_uplift: '平均アップリフト',
  th_negative: 'マイナスの顧客',
  basis_uplift: 'アップリフト × 価値 − 接触コスト',
  basis_propensity: '受諾確率 × 価値',
  customer_uplift: 'アップリフト：{list}。',
};

// Names the API gives as codes, per language (codes not listed show as is).
const names = {
  ja: {
    kind: { upsell: 'アップセル', cross_sell: 'クロスセル', downsell: 'ダウンセル' },
    channel: { email: 'メール', in_app: 'アプリ内', csm: 'CS担当', webinar: 'ウェビナー', sns: 'SNS' },
    segment: {
      new: '新規', hibernating: '休眠', at_risk: '解約リスク', champion: '優良',
      loyal: 'ロイヤル', promising: '有望', needs_attention: '要注意', unknown: 'データ不足',
    },
    guard: {
      holdout: 'ホールドアウト', substitute: '代替品', price_band: '価格帯', critical_case: '重大な問い合わせ',
      consent: '同意なし', health: 'ヘルス不足', declined: '辞退済み', frequency: '接触頻度',
      no_value: '価値なし', conflict: '競合する提案', limit: '提案上限', no_benefit: '顧客の利益なし',
      not_at_risk: 'リスクなし', low_usage_upsell: '低利用のアップセル',
    },
  },
};

export const STRINGS = { en, ja };
export const LANGS = ['en', 'ja'];
const LOCALE = { en: 'en-US', ja: 'ja-JP' };
let current = 'en';

// The language to start in: the one chosen before, else the browser's.
export function initialLang() {
  const saved = localStorage.getItem(LANG_KEY);
  if (LANGS.includes(saved)) return saved;
  const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  return prefs.some((l) => String(l).toLowerCase().startsWith('ja')) ? 'ja' : 'en';
}

export function setLang(l) {
  current = LANGS.includes(l) ? l : 'en';
  localStorage.setItem(LANG_KEY, current);
}

export function lang() {
  return current;
}

export function t(key, vars = {}) {
  const s = STRINGS[current][key] ?? en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] == null ? m : String(vars[k])));
}

// A code of the API (kind, channel, segment, guard) in the current language.
export function name(group, code) {
  const g = names[current] && names[current][group];
  return (g && g[code]) || code;
}

// Texts of the static page: data-i18n, data-i18n-placeholder, data-i18n-title.
export function applyStatic(root = document) {
  document.documentElement.lang = current;
  document.title = t('title');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

// Numbers and dates for the current locale; null or undefined is "—".
export const fmt = {
  money: (v) => (v == null ? '—' : Number(v).toLocaleString(LOCALE[current], { maximumFractionDigits: 0 })),
  pct: (v) => (v == null ? '—' : `${(v * 100).toLocaleString(LOCALE[current], { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`),
  num: (v, d = 2) => (v == null ? '—' : Number(v).toLocaleString(LOCALE[current], { minimumFractionDigits: d, maximumFractionDigits: d })),
  int: (v) => (v == null ? '—' : Number(v).toLocaleString(LOCALE[current], { maximumFractionDigits: 0 })),
  // a YYYY-MM-DD day of the API, shown as the locale writes dates
  date: (d) => {
    if (!d || !/^\d{4}-\d{2}-\d{2}$/.test(d)) return d ?? '—';
    const [y, m, day] = d.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, day)).toLocaleDateString(LOCALE[current], { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
  },
};

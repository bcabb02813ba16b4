/**
 * The sentences of an explanation in each language. Placeholders in braces are filled by
 * render.ts with amounts, rates and ids already formatted.
 */
export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

type Catalog = Readonly<Record<string, string>>;

const zh: Catalog = {
  headline_order: '{to} 在订单 {order} 上按规则{rule}获得 {amount}，状态：{status}。',
  headline_period: '{to} 在 {period} 期间按规则{rule}获得 {amount}，状态：{status}。',
  rule_plain: '「{id}」（{template}）',
  rule_named: '「{name}」（{id}，{template}）',
  status_pending: '待结算（冻结中）',
  status_settled: '已结算（可提现）',
  line: '第 {line} 行：',
  seller: '{to} 是这笔订单的卖家（链条第 1 位）',
  upline: '{to} 是卖家往上第 {position} 位',
  compressed:
    '（按缩减规则计：在网络中为卖家往上第 {networkPosition} 位，其间 {skipped} 在付款前 {inactiveDays} 天内无活动，被跳过）',
  level: '，当时等级 {level}',
  base_paid: '实付金额 {base}',
  base_profit: '利润（实付减成本）{base}',
  base_award: '下方成员的奖励 {base}',
  base_teamSales: '团队业绩 {base}',
  base_periodSales: '期间销售额 {base}',
  rounding: '精确值 {exact}，四舍五入到分为 {amount}。',
  rounding_share: '精确份额 {exact}，按最大余数法分到 {amount}（各份之和正好等于奖池）。',
  nothing_left: '该订单计奖的各行已全部退款，此奖励净额为零。',
  nothing_earned:
    '订单仍有未退款的部分，但按退款后的明细，本规则已不再给 {to} 计奖：计奖的行已全部退款，或其计奖基数（如利润）已不大于零。此奖励净额为零。',
  no_rounding: '金额 {amount}，无需取整。',
  'multi-level.position': '{who}{level}。按{base} 的 {rate} 计算，',
  'differential.gap': '{who}{level}。该等级比例 {ownRate}，下方已拿走 {paidBelow}，得级差 {rate}：{base} × {rate}，',
  'differential.peer-of-award':
    '{who}{level}。平级奖：与下方最近拿到级差的成员同级，按{base} 的 {rate}（第 {generation} 代）计算，',
  'differential.peer-of-base':
    '{who}{level}。平级奖：与下方最近拿到级差的成员同级，按{base} 的 {rate}（第 {generation} 代）计算，',
  'level-price.margin': '{to} 是卖家，拿货价 {unitPrice} × 数量 {qty}，实付 {paid}，差价归 {to}。',
  'level-price.gap': '{who}{level}。其拿货价 {unitPrice} 低于下方最低价 {lowestBelow}，得 数量 {qty} × 差价。',
  'group-buy.pickup': '{to} 是本单的自提点团长{level}。按{base} 的 {rate} 计算，',
  'group-buy.recommender': '{to} 推荐了自提点 {pickupPoint}{level}。按{base} 的 {rate} 计算，',
  'targeted.per-unit': '定向奖励：{to} 是卖家，每件 {unitPrice} × 数量 {qty}。',
  'targeted.rate': '定向奖励：{to} 是卖家，按{base} 的 {rate} 计算，',
  'region.province': '{to} 持有省级区域 {code}，订单收货地区 {region}。按{base} 的 {rate} 计算，',
  'region.city': '{to} 持有市级区域 {code}，订单收货地区 {region}。按{base} 的 {rate} 计算，',
  'region.district': '{to} 持有区县区域 {code}，订单收货地区 {region}。按{base} 的 {rate} 计算，',
  'team-tier.differential': '{to} 的{base} 达到 {rate} 档，团队奖 {teamAward}，减去直属下级团队已得 {childrenAward}，',
  'pool.equal': '奖池 {pool} = {base} × {rate}，由 {totalWeight} 位合格成员平分（最大余数法），',
  'pool.teamSales': '奖池 {pool} = {base} × {rate}，按团队业绩分配，{to} 占 {weight} / {totalWeight}（最大余数法），',
  change_award: '{at}：入账 {delta}。',
  change_adjustment: '{at}：退款 {refund} 后调整 {delta}。',
  history: '变动记录：',
  // CEL `when:` conditions (src/engine/cel)
  'condition.held': '规则条件「{when}」成立。',
  'condition.excluded': '规则条件「{when}」对此不成立，本规则不计（否则为 {wouldBe}）。',
  'condition.error': '规则条件「{when}」在此无法求值（{error}），按不成立处理，本规则不计（否则为 {wouldBe}）。',
};

const en: Catalog = {
  headline_order: '{to} earned {amount} on order {order} under rule {rule}; status: {status}.',
  headline_period: '{to} earned {amount} for period {period} under rule {rule}; status: {status}.',
  rule_plain: '"{id}" ({template})',
  rule_named: '"{name}" ({id}, {template})',
  status_pending: 'pending (frozen)',
  status_settled: 'settled (available)',
  line: 'Line {line}: ',
  seller: '{to} sold this order (position 1 of the chain)',
  upline: '{to} is {position} above the seller in the chain',
  compressed:
    ' as compression counts it (in the network {to} is {networkPosition} above the seller; skipped in between for no activity in the {inactiveDays} days before payment: {skipped})',
  level: ', at level {level} then',
  base_paid: 'the paid amount {base}',
  base_profit: 'the profit (paid minus cost) {base}',
  base_award: 'the award below, {base}',
  base_teamSales: 'team sales of {base}',
  base_periodSales: 'period sales of {base}',
  rounding: 'exactly {exact}, rounded half-up to {amount}.',
  rounding_share: 'the exact share is {exact}; by largest remainder it comes to {amount} (the parts add up exactly to the pool).',
  nothing_left: 'Every line it was earned on has been refunded: nothing is left of it.',
  nothing_earned:
    'Part of the order is still paid, but on its lines as they stand after refunds this rule pays {to} nothing: the lines it was earned on were refunded, or their base (such as the profit) is no longer above zero. Nothing is left of it.',
  no_rounding: 'that is {amount}, nothing to round.',
  'multi-level.position': 'Because {who}{level}, {to} gets {rate} of {base}: ',
  'differential.gap':
    'Because {who}{level}: that level pays {ownRate}, {paidBelow} was already paid below, so {to} gets the difference {rate} of {base}: ',
  'differential.peer-of-award':
    'Peer bonus, because {who}{level} and shares the level of the nearest member below who earned a differential: {rate} of {base} (generation {generation}): ',
  'differential.peer-of-base':
    'Peer bonus, because {who}{level} and shares the level of the nearest member below who earned a differential: {rate} of {base} (generation {generation}): ',
  'level-price.margin': '{to} sold at a paid amount of {paid} with a unit price of {unitPrice} × {qty}; the margin goes to {to}.',
  'level-price.gap':
    "Because {who}{level}, and {to}'s unit price {unitPrice} is below the lowest price below it, {lowestBelow}: {to} gets {qty} × the difference.",
  'group-buy.pickup': '{to} is the pickup point of this order{level}; {to} gets {rate} of {base}: ',
  'group-buy.recommender': '{to} recommended the pickup point {pickupPoint}{level}; {to} gets {rate} of {base}: ',
  'targeted.per-unit': 'Campaign reward: {to} sold {qty} unit(s) at {unitPrice} each.',
  'targeted.rate': 'Campaign reward: {to} sold this line; {to} gets {rate} of {base}: ',
  'region.province': '{to} holds province {code} and the order was delivered to {region}; {to} gets {rate} of {base}: ',
  'region.city': '{to} holds city {code} and the order was delivered to {region}; {to} gets {rate} of {base}: ',
  'region.district': '{to} holds district {code} and the order was delivered to {region}; {to} gets {rate} of {base}: ',
  'team-tier.differential':
    "{to}'s {base} reached the {rate} tier: a team award of {teamAward}, minus {childrenAward} already earned by the direct teams below: ",
  'pool.equal': 'The pool is {base} × {rate} = {pool}, shared equally among {totalWeight} eligible members (largest remainder): ',
  'pool.teamSales':
    'The pool is {base} × {rate} = {pool}, shared by team sales ({to}: {weight} of {totalWeight}; largest remainder): ',
  change_award: '{at}: credited {delta}.',
  change_adjustment: '{at}: adjusted by {delta} after refund {refund}.',
  history: 'History:',
  // CEL `when:` conditions (src/engine/cel)
  'condition.held': "The rule's condition `{when}` held.",
  'condition.excluded':
    "The rule's condition `{when}` did not hold here, so the rule left this out (it would have paid {wouldBe}).",
  'condition.error':
    "The rule's condition `{when}` could not be evaluated here ({error}), which counts as not holding, so the rule left this out (it would have paid {wouldBe}).",
};

const catalogs: Readonly<Record<Lang, Catalog>> = { 'zh-CN': zh, en };

/** Every key of a language's catalog (its specs read each sentence). */
export function messageKeys(lang: Lang): string[] {
  return Object.keys(catalogs[lang]);
}

export function message(lang: Lang, key: string, values: Readonly<Record<string, string>> = {}): string {
  const template = catalogs[lang][key] ?? catalogs.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export const TEMPLATE_NAMES: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  'zh-CN': {
    'multi-level': '多级分销',
    differential: '级差+平级奖',
    'level-price': '拿货价',
    'group-buy': '社区团购',
    targeted: '定向奖励',
    region: '区域代理',
    'team-tier': '团队业绩阶梯',
    pool: '分红奖池',
  },
  en: {
    'multi-level': 'multi-level',
    differential: 'differential + peer',
    'level-price': 'level price',
    'group-buy': 'group buy',
    targeted: 'targeted campaign',
    region: 'regional agent',
    'team-tier': 'team tiers',
    pool: 'bonus pool',
  },
};

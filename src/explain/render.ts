import { DateTime } from 'luxon';
import type { TenantSettings } from '../domain/types.ts';
import type { AwardRecord } from '../engine/awards.ts';
import type { Explanation } from '../engine/templates/template.ts';
import { formatMoney } from '../money/money.ts';
import { exact, formatExact, formatRate } from '../money/rate.ts';
import { message, TEMPLATE_NAMES, type Lang } from './messages.ts';

const RATE_FACTS = new Set(['ownRate', 'paidBelow']);
const MONEY_FACTS = new Set(['teamAward', 'childrenAward', 'pool', 'paid', 'lowestBelow', 'wouldBe']);

/** An amount as the sentences show it, totals and line figures alike: "59.90 CNY". */
const inCurrency = (amount: string, settings: TenantSettings) => `${amount} ${settings.currency}`;

/** What the headline says of an award's rule besides its id. */
export interface RuleLabel {
  /** The rule's template, for an award with nothing left to explain (fully refunded). */
  readonly template?: string | undefined;
  /** The rule's name in the plan version that made the award (its template's `name`), if it has one. */
  readonly name?: string | null | undefined;
}

/** The rule as the headline names it: its name first where the plan gives one, then its id and template. */
function ruleText(lang: Lang, id: string, name: string | null | undefined, template: string): string {
  return name && name !== id
    ? message(lang, 'rule_named', { name, id, template })
    : message(lang, 'rule_plain', { id, template });
}

/**
 * "Why did I get this?" — an award as sentences a leader understands: what it is, how each line
 * (or the period) produced it, with the exact value and the rounding, and how refunds changed it.
 */
export function explainAward(award: AwardRecord, settings: TenantSettings, lang: Lang, rule: RuleLabel = {}): string[] {
  const money = (amount: bigint) => inCurrency(formatMoney(amount, settings.decimals), settings);
  const template = award.explanations[0]?.template ?? rule.template ?? '';
  const headline = message(lang, award.order !== undefined ? 'headline_order' : 'headline_period', {
    to: award.to,
    order: award.order ?? '',
    period: award.period ?? '',
    rule: ruleText(lang, award.rule, rule.name, TEMPLATE_NAMES[lang][template] ?? template),
    amount: money(award.amount),
    status: message(lang, `status_${award.status}`),
  });
  const lines = [headline, ...award.explanations.map((explanation) => explainPart(explanation, settings, lang))];
  if (award.explanations.length === 0 && award.amount === 0n) {
    // Nothing left of the order, or lines still there on which the rule now pays nothing (a
    // profit no longer above zero, a margin gone): two different answers to "why zero?".
    const why = award.orderNetPaid === undefined || award.orderNetPaid === 0n ? 'nothing_left' : 'nothing_earned';
    lines.push(`  ${message(lang, why, { to: award.to })}`);
  }
  if (award.changes.length > 1 || award.changes.some((change) => change.cause.startsWith('refund'))) {
    lines.push(message(lang, 'history'));
    for (const change of award.changes) {
      const at = DateTime.fromMillis(change.at, { zone: settings.timezone }).toFormat('yyyy-MM-dd HH:mm');
      const delta = (change.delta > 0n ? '+' : '') + money(change.delta);
      const key = change.cause.startsWith('refund') ? 'change_adjustment' : 'change_award';
      lines.push(`  ${message(lang, key, { at, delta, refund: change.cause.replace(/^refund /, '') })}`);
    }
  }
  return lines;
}

/**
 * The figures of one explanation part as a reader reads them, the ones its sentence shows: money
 * in major units of the tenant currency ("59.90"), rates as percentages ("5%"). `exact` and `base`
 * are exact values: as many digits as they need (up to six past the currency's), "…" marking one
 * that does not terminate. `facts` has every fact of the part, money and rates formatted so, the
 * others (ids, counts, a condition's text) as they are.
 */
export interface ReadableFigures {
  readonly amount: string;
  readonly exact: string;
  readonly base?: string;
  readonly rate?: string;
  readonly unitPrice?: string;
  readonly facts?: Readonly<Record<string, string>>;
}

/** A part's figures formatted for reading (the sentences of explainPart are made of these). */
export function readableFigures(part: Explanation, decimals: number): ReadableFigures {
  const money = (amount: bigint) => formatMoney(amount, decimals);
  return {
    amount: money(part.amount),
    exact: formatExact(part.exact, decimals),
    ...(part.base ? { base: formatExact(part.base.amount, decimals) } : {}),
    ...(part.rate === undefined ? {} : { rate: formatRate(part.rate) }),
    ...(part.unitPrice === undefined ? {} : { unitPrice: money(part.unitPrice) }),
    ...(part.facts === undefined ? {} : { facts: readableFacts(part, decimals) }),
  };
}

/** Whether a fact of the part is an amount of money (a pool's team-sales weights are). */
function isMoneyFact(part: Explanation, name: string): boolean {
  return MONEY_FACTS.has(name) || (part.reason === 'pool.teamSales' && name.endsWith('eight'));
}

function readableFacts(part: Explanation, decimals: number): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const [name, value] of Object.entries(part.facts ?? {})) {
    if (RATE_FACTS.has(name)) facts[name] = formatRate(BigInt(value));
    else if (isMoneyFact(part, name)) facts[name] = formatMoney(BigInt(value), decimals);
    else facts[name] = String(value);
  }
  return facts;
}

/**
 * One line's (or one period's) computation as a sentence. It names the member (`to`) rather than
 * addressing the reader: an operator reads it as well as the member. Every amount in it carries
 * the currency, as the headline's total does ("3.00 CNY").
 */
export function explainPart(part: Explanation, settings: TenantSettings, lang: Lang): string {
  const figures = readableFigures(part, settings.decimals);
  const facts: Record<string, string> = {};
  for (const [name, value] of Object.entries(figures.facts ?? {}))
    facts[name] = isMoneyFact(part, name) ? inCurrency(value, settings) : value;
  const to = part.to;
  const who =
    part.position === undefined
      ? ''
      : part.position === 0
        ? message(lang, 'seller', { to })
        : message(lang, 'upline', { to, position: String(part.position) }) + compressionNote(part, lang);
  const values: Record<string, string> = {
    ...facts,
    to,
    who,
    level: part.level === undefined ? '' : message(lang, 'level', { level: String(part.level) }),
    base: part.base ? message(lang, `base_${part.base.kind}`, { base: inCurrency(figures.base ?? '', settings) }) : '',
    rate: figures.rate ?? '',
    unitPrice: figures.unitPrice === undefined ? '' : inCurrency(figures.unitPrice, settings),
    qty: part.qty === undefined ? '' : String(part.qty),
  };
  const prefix = part.line === undefined ? '' : message(lang, 'line', { line: String(part.line) });
  const body = message(lang, part.reason, values);
  // A part a `when:` condition left out: the note is the whole sentence, there is nothing to round.
  if (part.reason.startsWith('condition.')) return `  ${prefix}${body}`;
  const held = part.facts?.when === undefined ? '' : `${lang === 'en' ? ' ' : ''}${message(lang, 'condition.held', values)}`;
  // A pool's parts are rounded as a whole (largest remainder), not each half-up on its own.
  const roundingKey = sameValue(part.exact, part.amount)
    ? 'no_rounding'
    : part.reason.startsWith('pool.')
      ? 'rounding_share'
      : 'rounding';
  const rounding = message(lang, roundingKey, {
    exact: inCurrency(figures.exact, settings),
    amount: inCurrency(figures.amount, settings),
  });
  if (lang !== 'en') return `  ${prefix}${body}${rounding}${held}`;
  // English: a new sentence after a full stop starts with a capital.
  const next = body.endsWith('.') ? rounding[0]!.toUpperCase() + rounding.slice(1) : rounding;
  return `  ${prefix}${body}${body.endsWith(' ') ? '' : ' '}${next}${held}`;
}

/** Where compression moved a member up the chain: its place in the network and who was skipped. */
function compressionNote(part: Explanation, lang: Lang): string {
  if (part.compressed === undefined) return '';
  return message(lang, 'compressed', {
    to: part.to,
    networkPosition: String(part.compressed.networkPosition),
    skipped: part.compressed.skipped.join(lang === 'en' ? ', ' : '、'),
    inactiveDays: String(part.compressed.inactiveDays),
  });
}

function sameValue(value: { num: bigint; den: bigint }, amount: bigint): boolean {
  const whole = exact(amount);
  return value.num * whole.den === whole.num * value.den;
}

import type { Condition, LevelLeaf, RecruitLeaf } from '../domain/types.ts';
import { holds } from './conditions.ts';
import { promote } from './events/member-promoted.ts';
import type { Member } from './network.ts';
import { planAt, type EngineState } from './state.ts';
import type { LevelChange, Work } from './work.ts';

const NOTHING_BOUGHT = { spend: 0n, orders: 0, skus: null } as const;

/** Sets a level and records the change. */
export function changeLevel(state: EngineState, member: Member, level: number, cause: LevelChange['cause'], work: Work): void {
  const from = { role: member.role, level: member.level };
  state.network.setLevel(member, level, work.at);
  work.levels.push({ member: member.id, at: work.at, from, to: { role: member.role, level }, cause });
  if (member.parent) work.dirtyMembers.add(member.parent);
}

/**
 * After every accepted event: recruit customers whose `when` holds, then raise distributors to
 * the highest level whose conditions hold, repeating both until nothing changes. Levels never
 * fall by themselves; a level without `upgradeWhen` is only reached by hand.
 */
export function settleLevels(state: EngineState, work: Work): void {
  const compiled = planAt(state, work.at);
  const plan = compiled.plan;
  if (state.fullRecheckPending || state.levelPlan !== compiled) {
    state.fullRecheckPending = false;
    state.levelPlan = compiled;
    for (const member of state.network.all()) {
      if (member.isDistributor) work.dirtyMembers.add(member);
      else work.dirtyBuyers.add(member.id);
    }
  }
  // Most orders under a plan without levels or recruiting mark no one: nothing to re-check.
  if (!work.marksAnyone) return;
  const rounds = state.network.size * 100 + 100;
  for (let round = 0; round < rounds; round++) {
    const recruited = recruit(state, plan.recruit, work);
    const upgraded = plan.levels.length > 0 ? upgrade(state, plan.levels, work) : false;
    if (!recruited && !upgraded) return;
  }
  throw new Error('level re-check did not settle');
}

function recruit(state: EngineState, rule: ReturnType<typeof planAt>['plan']['recruit'], work: Work): boolean {
  // Taken as they are: promotions below mark others anew, for the next round.
  const buyers = work.takeDirtyBuyers();
  if (!rule || buyers === null) return false;
  let changed = false;
  for (const id of buyers) {
    const member = state.network.get(id);
    if (!member || member.isDistributor) continue;
    const stats = member.purchases ?? state.buyers.get(id) ?? NOTHING_BOUGHT;
    const qualifies = holds<RecruitLeaf>(rule.when, (leaf) => {
      if ('spend' in leaf) return stats.spend >= leaf.spend;
      if ('orders' in leaf) return stats.orders >= leaf.orders;
      return (stats.skus?.get(leaf.bought.sku) ?? 0) >= leaf.bought.qty;
    });
    if (!qualifies) continue;
    promote(state, member, rule.role, rule.level, 'recruited', work);
    changed = true;
  }
  return changed;
}

function upgrade(state: EngineState, levels: ReturnType<typeof planAt>['plan']['levels'], work: Work): boolean {
  const members = work.takeDirtyMembers();
  if (members === null) return false;
  const checks = upgradeChecksOf(levels);
  let changed = false;
  for (const member of members) {
    if (!member.isDistributor) continue;
    let target = member.level;
    for (const { level, holds } of checks) if (level > target && holds(member)) target = level;
    if (target === member.level) continue;
    changeLevel(state, member, target, 'upgrade', work);
    changed = true;
  }
  return changed;
}

/** A level a distributor rises to when `holds`. */
interface UpgradeCheck {
  readonly level: number;
  readonly holds: (member: Member) => boolean;
}

const upgradeChecks = new WeakMap<ReturnType<typeof planAt>['plan']['levels'], readonly UpgradeCheck[]>();

/**
 * The levels' upgrade conditions as functions, made once per plan: every order re-checks its
 * seller's whole upline, and reading a condition's shape (`any`, `all`, which leaf) each time was
 * most of the check. Levels without `upgradeWhen` (reached by hand only) are left out.
 */
function upgradeChecksOf(levels: ReturnType<typeof planAt>['plan']['levels']): readonly UpgradeCheck[] {
  let checks = upgradeChecks.get(levels);
  if (checks === undefined) {
    checks = levels.flatMap((rule) =>
      rule.upgradeWhen ? [{ level: rule.level, holds: compileCondition(rule.upgradeWhen) }] : [],
    );
    upgradeChecks.set(levels, checks);
  }
  return checks;
}

/** `holds` for a level condition as a function of the member: the same leaves in the same order, stopping as `some` and `every` do. */
function compileCondition(condition: Condition<LevelLeaf>): (member: Member) => boolean {
  if ('any' in condition) {
    const inner = condition.any.map(compileCondition);
    return (member) => {
      for (let i = 0; i < inner.length; i++) if (inner[i]!(member)) return true;
      return false;
    };
  }
  if ('all' in condition) {
    const inner = condition.all.map(compileCondition);
    return (member) => {
      for (let i = 0; i < inner.length; i++) if (!inner[i]!(member)) return false;
      return true;
    };
  }
  return compileLeaf(condition);
}

function compileLeaf(leaf: LevelLeaf): (member: Member) => boolean {
  if ('personalSales' in leaf) {
    const threshold = leaf.personalSales;
    return (member) => member.personalSalesReach(threshold);
  }
  if ('teamSales' in leaf) {
    const threshold = leaf.teamSales;
    return (member) => member.teamSalesReach(threshold);
  }
  if ('directRecruits' in leaf) {
    const count = leaf.directRecruits;
    return (member) => distributorChildrenReach(member, -Infinity, count);
  }
  const { level, count } = leaf.directAtLevel;
  return (member) => distributorChildrenReach(member, level, count);
}

/**
 * Whether at least `count` of the member's direct children are distributors at `level` or above:
 * counted among its distributor children only, stopping at `count`.
 */
function distributorChildrenReach(member: Member, level: number, count: number): boolean {
  if (count <= 0) return true;
  const distributors = member.distributorChildren;
  if (distributors === null || distributors.length < count) return false;
  if (level === -Infinity) return true;
  let found = 0;
  for (let i = 0; i < distributors.length; i++) if (distributors[i]!.level >= level && ++found >= count) return true;
  return false;
}

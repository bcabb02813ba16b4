import { fail, InputError, type EngineError } from '../domain/errors.ts';
import { zonedIso } from '../domain/local-time.ts';
import type { EngineEvent, MemberInput, TenantSettings } from '../domain/types.ts';
import { currencyDecimals } from '../money/money.ts';
import { eventReader, memberSchema, type EventReader } from '../schema/events.ts';
import { parsePlan, type CompiledPlan } from '../schema/plan.ts';
import { fieldsOf, misspeltField } from '../schema/misspelt-fields.ts';
import { firstIssue, isValidZone } from '../schema/primitives.ts';
import { applyEvent, applyParsed, passTime, type Outcome } from './apply.ts';
import { checkMemberShape, placeNewMember } from './events/new-member.ts';
import { LONG_AGO, type Member } from './network.ts';
import { checkRegions, uniqueCodes } from './regions.ts';
import { emptyState, planFlags, type EngineState } from './state.ts';

export interface EngineConfig {
  readonly timezone: string;
  readonly currency: string;
  /** The plan (raw, as in a scenario or the API); validated here. */
  readonly plan: unknown;
  /** The starting network, in entry order. */
  readonly members?: readonly unknown[];
  /**
   * The starting network already in the shape memberSchema gives (a simulation's generated
   * members): not parsed again, which was most of building an engine of 100,000 members. The
   * network's own rules are still checked (a customer's level, ids listed twice, unknown
   * parents, cycles, regions). After `members` when both are given.
   */
  readonly parsedMembers?: readonly MemberInput[];
  /** Later plan versions, each in force from its instant on (ms), in order. */
  readonly laterPlans?: readonly { readonly plan: unknown; readonly from: number }[];
}

/**
 * One tenant's engine: pure and deterministic. It has no clock, no I/O and no randomness; every
 * instant comes from the events. The scenario runner, the server and simulations all use it.
 */
export class Engine {
  readonly schemas: { readonly event: EventReader };

  private constructor(readonly state: EngineState) {
    this.schemas = { event: eventReader(state.settings) };
  }

  get settings(): TenantSettings {
    return this.state.settings;
  }

  /** Validates and applies a raw event (as JSON/YAML gives it). */
  apply(raw: unknown): Outcome {
    return applyEvent(this, raw);
  }

  /** Applies an event already parsed (bulk paths that validated earlier). */
  applyParsed(event: EngineEvent): Outcome {
    return applyParsed(this.state, event);
  }

  /** Lets time pass to `at` as a rejected event does (due work runs; nothing is re-checked). */
  passTime(at: number): Outcome {
    return passTime(this.state, at);
  }

  /**
   * Adds a plan version in force from `from` on. Only the future can be re-planned: an order
   * already paid keeps the version of its payment time, so `from` must be after the clock.
   */
  addPlanVersion(raw: unknown, from: number): void {
    const compiled = compilePlan(raw, this.settings);
    const clock = this.state.clock;
    if (clock !== null && from <= clock) {
      throw new InputError(
        fail('invalid', `a plan version must take effect after the last event (${zonedIso(clock, this.settings.timezone)})`, [
          'effectiveFrom',
        ]),
      );
    }
    const plans = this.state.plans;
    if (from <= plans[plans.length - 1]!.from) {
      throw new InputError(fail('invalid', 'a plan version must take effect after the previous version', ['effectiveFrom']));
    }
    plans.push({ from, compiled });
    Object.assign(this.state, planFlags(plans));
  }

  /**
   * Imports members as part of the starting network (joined long ago, levels as listed), e.g. to
   * backfill an existing network. Only before the first event; may be called in chunks.
   */
  importNetwork(members: readonly unknown[]): void {
    if (this.state.clock !== null) {
      throw new InputError(
        fail('invalid', 'a network can only be imported before the first event; send member.joined events instead', ['members']),
      );
    }
    loadStartingNetwork(this.state, members);
  }

  /** Builds an engine; throws InputError when the plan or the starting network is not valid. */
  static create(config: EngineConfig): Engine {
    if (!isValidZone(config.timezone)) {
      throw new InputError(
        fail('invalid', `unknown time zone "${config.timezone}" (use an IANA name such as Asia/Shanghai)`, ['timezone']),
      );
    }
    const settings: TenantSettings = {
      timezone: config.timezone,
      currency: config.currency,
      decimals: currencyDecimals(config.currency),
    };
    const plan = compilePlan(config.plan, settings);
    const engine = new Engine(emptyState(settings, [{ from: -Infinity, compiled: plan }]));
    for (const version of config.laterPlans ?? []) engine.addPlanVersion(version.plan, version.from);
    loadStartingNetwork(engine.state, config.members ?? []);
    if (config.parsedMembers) placeStartingNetwork(engine.state, config.parsedMembers, (input) => input);
    return engine;
  }
}

export function compilePlan(raw: unknown, settings: TenantSettings): CompiledPlan {
  const result = parsePlan(raw, settings);
  if (!result.ok) throw new InputError(fail('invalid', `plan: ${result.message}`, ['plan', ...result.path]));
  return result.value;
}

/** The starting network: listed members joined long ago, in the listed order. */
function loadStartingNetwork(state: EngineState, raw: readonly unknown[]): void {
  if (raw.length === 0) return;
  const schema = memberSchema(state.settings);
  const fields = fieldsOf(schema)!;
  placeStartingNetwork(state, raw, (entry, index) => {
    const misspelt = misspeltField(entry, fields);
    if (misspelt)
      throw new InputError(fail('invalid', `members[${index}]: ${misspelt.message}`, ['members', index, ...misspelt.path]));
    const parsed = schema.safeParse(entry);
    if (!parsed.success) {
      const { path, message } = firstIssue(parsed.error);
      throw new InputError(fail('invalid', `members[${index}]: ${message}`, ['members', index, ...path]));
    }
    return parsed.data;
  });
}

/**
 * Places members as `read` gives them (parsed, or already in their parsed shape), checking the
 * network's own rules, each member in turn: the first problem in list order is the one thrown.
 */
function placeStartingNetwork<T>(
  state: EngineState,
  entries: readonly T[],
  read: (entry: T, index: number) => MemberInput,
): void {
  const placed = entries.map((entry, index) => {
    const input = read(entry, index);
    const shape = checkMemberShape(input, ['members', index]);
    if (shape) throw new InputError(shape);
    if (state.network.get(input.id)) throw new InputError(duplicateMember(entries, index, input.id, read));
    // Parents and regions come in a second pass: members may be listed in any order.
    return { input, member: placeNewMember(state, input, null, [], LONG_AGO, null) };
  });
  placed.forEach(({ input, member }, index) => linkStartingMember(state, input, member, index));
}

/** Why member `id` (at `index`) cannot be placed again: listed twice, or there before this list. */
function duplicateMember<T>(
  entries: readonly T[],
  index: number,
  id: string,
  read: (entry: T, index: number) => MemberInput,
): EngineError {
  const path = ['members', index, 'id'];
  const listedBefore = entries.slice(0, index).some((entry, earlier) => read(entry, earlier).id === id);
  if (listedBefore) return fail('invalid', `member ${id} is listed twice`, path);
  return fail(
    'invalid',
    `member ${id} is in the network already (an earlier import or event): an import adds only members not there yet; leave it out`,
    path,
  );
}

function linkStartingMember(state: EngineState, input: MemberInput, member: Member, index: number): void {
  const network = state.network;
  if (input.parent != null) {
    const parent = network.get(input.parent);
    const path = ['members', index, 'parent'];
    if (!parent) throw new InputError(fail('unknown_member', `members[${index}]: parent ${input.parent} is not listed`, path));
    if (!parent.isDistributor)
      throw new InputError(fail('invalid', `members[${index}]: parent ${parent.id} is a customer`, path));
    if (network.isAncestorOrSelf(member, parent))
      throw new InputError(fail('cycle', `members[${index}]: ${input.id} would be its own ancestor`, path));
    network.attachInitial(member, parent);
  }
  const regions = input.regions?.length ? uniqueCodes(input.regions) : [];
  const problem = checkRegions(network, member.id, !member.isDistributor, regions, ['members', index, 'regions']);
  if (problem) throw new InputError(problem);
  if (regions.length > 0) network.setRegions(member, regions, LONG_AGO);
}

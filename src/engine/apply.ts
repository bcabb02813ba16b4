import { fail, type EngineError } from '../domain/errors.ts';
import { zonedIso } from '../domain/local-time.ts';
import type { EngineEvent, InstantMs } from '../domain/types.ts';
import { firstIssue, readableInstant } from '../schema/primitives.ts';
import { runDue } from './due.ts';
import { memberJoined } from './events/member-joined.ts';
import { memberLevelSet } from './events/member-level-set.ts';
import { memberMoved } from './events/member-moved.ts';
import { memberPromoted } from './events/member-promoted.ts';
import { memberRegionsSet } from './events/member-regions-set.ts';
import { orderCompleted } from './events/order-completed.ts';
import { orderPaid } from './events/order-paid.ts';
import { orderRefunded } from './events/order-refunded.ts';
import { withdrawalRequested } from './events/withdrawal-requested.ts';
import { withdrawalTransition } from './events/withdrawal-transition.ts';
import { adjustmentPosted } from './events/adjustment-posted.ts';
import { repeatOf } from './events/repeat-of.ts';
import { settleLevels } from './levels.ts';
import type { EngineState } from './state.ts';
import { newWork, type EventWork, type Effects, type Verdict, type Work } from './work.ts';
import type { Engine } from './engine.ts';

/** What an event did, and whether time moved (even a rejected event lets time pass). */
export type Outcome = (
  { readonly status: 'applied' } | { readonly status: 'duplicate' } | { readonly status: 'rejected'; readonly error: EngineError }
) &
  Effects & { readonly clockMoved: boolean };

/**
 * Applies one event: checks its shape, lets time pass to its instant (due settlements and
 * closes run first, and stay run even if the event is then rejected), applies it, then re-checks
 * recruiting and levels. A rejected event changes nothing of its own.
 */
export function applyEvent(engine: Engine, raw: unknown): Outcome {
  const parsed = engine.schemas.event.safeParse(raw);
  if (!parsed.success) {
    const { path, message } = firstIssue(parsed.error);
    return refusedShape(engine.state, readableInstant(raw, engine.settings.timezone), fail('invalid', message, path));
  }
  return applyParsed(engine.state, parsed.data);
}

/**
 * An event refused for its shape: time still passes to its instant when that can be read and is
 * not earlier than the clock (DOMAIN.md: time passes with every event), as it does for an event
 * refused by the rules, and nothing else happens.
 */
function refusedShape(state: EngineState, at: InstantMs | null, error: EngineError): Outcome {
  const before = state.clock;
  if (at === null || (before !== null && at < before)) return outcome('rejected', newWork(before ?? 0), false, error);
  const work = newWork(at);
  runDue(state, at, work);
  state.clock = at;
  return outcome('rejected', work, state.clock !== before, error);
}

export function applyParsed(state: EngineState, event: EngineEvent): Outcome {
  const work = newWork(event.at);
  const before = state.clock;
  if (state.clock !== null && event.at < state.clock) {
    // Identity comes before time order (DOMAIN.md's order of faults): a redelivered event is a
    // duplicate however late it comes, and an old id with other content a conflict.
    const repeat = repeatOf(state, event);
    if (repeat === 'duplicate') return outcome('duplicate', work, false);
    if (repeat) return outcome('rejected', work, false, repeat);
    const error = fail(
      'invalid',
      `event at ${zonedIso(event.at, state.settings.timezone)} is earlier than the last event applied (${zonedIso(state.clock, state.settings.timezone)}); events are applied in time order`,
      ['at'],
    );
    return outcome('rejected', work, false, error);
  }
  runDue(state, event.at, work);
  state.clock = event.at;
  const verdict = dispatch(state, event, work);
  if (typeof verdict === 'object') {
    // Due work ran and stays; the event's own partial work never started (handlers check first).
    return outcome('rejected', work, state.clock !== before, verdict);
  }
  settleLevels(state, work);
  return outcome(verdict, work, state.clock !== before);
}

/**
 * Lets time pass to `at` exactly as a rejected event does: what is due by then runs, and nothing
 * else (no recruiting or level re-check, unlike a `tick`). The service logs this for a rejected
 * event that moved time or ran due work, so that a replay of the log does what the live engine did.
 */
export function passTime(state: EngineState, at: InstantMs): Outcome {
  const work = newWork(at);
  const before = state.clock;
  if (before !== null && at < before) {
    const error = fail(
      'invalid',
      `time cannot pass back to ${new Date(at).toISOString()} (the clock is at ${new Date(before).toISOString()})`,
      ['at'],
    );
    return outcome('rejected', work, false, error);
  }
  runDue(state, at, work);
  state.clock = at;
  return outcome('applied', work, state.clock !== before);
}

function dispatch(state: EngineState, event: EngineEvent, work: Work): Verdict {
  switch (event.type) {
    case 'order.paid':
      return orderPaid(state, event, work);
    case 'order.completed':
      return orderCompleted(state, event);
    case 'order.refunded':
      return orderRefunded(state, event, work);
    case 'member.joined':
      return memberJoined(state, event, work);
    case 'member.moved':
      return memberMoved(state, event, work);
    case 'member.promoted':
      return memberPromoted(state, event, work);
    case 'member.level_set':
      return memberLevelSet(state, event, work);
    case 'member.regions_set':
      return memberRegionsSet(state, event);
    case 'withdrawal.requested':
      return withdrawalRequested(state, event, work);
    case 'withdrawal.approved':
    case 'withdrawal.rejected':
    case 'withdrawal.paid':
    case 'withdrawal.failed':
      return withdrawalTransition(state, event, work);
    case 'adjustment.posted':
      return adjustmentPosted(state, event, work);
    case 'tick':
      return 'applied';
  }
}

/**
 * What an event did: its work, finished (see EventWork). Its postings are made into Posting
 * objects when first read (PostingLog): the service reads them all, a simulation never does.
 */
function outcome(status: 'applied' | 'duplicate', work: EventWork, clockMoved: boolean): Outcome;
function outcome(status: 'rejected', work: EventWork, clockMoved: boolean, error: EngineError): Outcome;
function outcome(status: Outcome['status'], work: EventWork, clockMoved: boolean, error?: EngineError): Outcome {
  return work.finish(status, clockMoved, error) as Outcome;
}

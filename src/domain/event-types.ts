/**
 * The event types: those a client sends (POST /v1/events, the stream), and those the log holds,
 * which adds the two the server writes itself (src/service/runtime.ts). No imports, so the
 * console's bundle takes it as it is (its events page offers LOGGED_EVENT_TYPES, in this order).
 */
export const SENT_EVENT_TYPES = [
  'order.paid',
  'order.completed',
  'order.refunded',
  'member.joined',
  'member.moved',
  'member.promoted',
  'member.level_set',
  'member.regions_set',
  'withdrawal.requested',
  'withdrawal.approved',
  'withdrawal.rejected',
  'withdrawal.paid',
  'withdrawal.failed',
  'adjustment.posted',
  'tick',
] as const;

export type SentEventType = (typeof SENT_EVENT_TYPES)[number];

export const LOGGED_EVENT_TYPES = [...SENT_EVENT_TYPES, 'time.passed', 'network.imported'] as const;

export type LoggedEventType = (typeof LOGGED_EVENT_TYPES)[number];

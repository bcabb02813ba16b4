/**
 * The identity under which an incoming event is stored once: the caller's own `id` when it sends
 * one (recommended for every event, and needed to make moves and level changes idempotent across
 * retries), else the event's natural identity (DOMAIN.md, "Events and errors").
 */
export function eventKey(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object') return null;
  const event = raw as Record<string, unknown>;
  if (typeof event.id === 'string' && event.id.length > 0) return `id:${event.id}`;
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);
  switch (event.type) {
    case 'order.paid':
      return text(event.order) && `order.paid:${text(event.order)}`;
    case 'order.completed':
      return text(event.order) && `order.completed:${text(event.order)}`;
    case 'order.refunded':
      return text(event.refund) && `order.refunded:${text(event.refund)}`;
    case 'withdrawal.requested':
      return text(event.withdrawal) && `withdrawal:${text(event.withdrawal)}`;
    case 'adjustment.posted':
      return text(event.adjustment) && `adjustment:${text(event.adjustment)}`;
    case 'member.joined': {
      const member = event.member as Record<string, unknown> | undefined;
      return member && text(member.id) ? `member.joined:${text(member.id)}` : null;
    }
    default:
      return null;
  }
}

import type { ReactNode } from 'react';
import { useSession } from '../auth/session';
import { Card, Empty } from './ui';

/**
 * A card only admin keys may use: its content for them, a note naming the key it needs for the
 * others (the API refuses them the card's reads too).
 */
export function AdminOnly({ title, note, children }: { title: string; note: string; children: () => ReactNode }) {
  const { can } = useSession();
  if (can('admin')) return children();
  return (
    <Card title={title}>
      <Empty>{note}</Empty>
    </Card>
  );
}

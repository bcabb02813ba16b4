import type { PageProps } from '../app/routes';
import { useSession } from '../auth/session';
import MemberPage from './MemberPage';

/** A leader's home: their own member page (balances, awards and why, withdrawals, statement). */
export default function LeaderHomePage(_props: PageProps) {
  const { me } = useSession();
  return <MemberPage params={{ id: me!.member!.id }} />;
}

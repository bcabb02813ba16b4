import { useState } from 'react';
import { api, ok } from '../../api/client';
import { RoleBadge } from '../../components/member';
import { Card, Empty, ErrorNote, Loading } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { useDebounced } from '../../lib/useAsync';
import { LoadMore } from './LoadMore';
import { useKeysetPages } from '../../lib/useKeysetPages';

const SEARCH_PAGE = 20;
/** Pause in typing before a search goes out: short, as the server answers from an index. */
const TYPING_PAUSE_MS = 120;

/**
 * Members by id prefix as one types, with how many match; more of them as the list is scrolled.
 * The server answers from a sorted index of ids, so a prefix of one letter on a million members
 * costs what a full id costs.
 */
export function MemberSearch({ selected, onPick }: { selected: string; onPick: (id: string) => void }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), TYPING_PAUSE_MS);
  const found = useKeysetPages(
    async (after) => {
      const params = { query: { q, limit: SEARCH_PAGE, ...(after === null ? {} : { after }) } };
      const answer = await ok(api.GET('/v1/members', { params }));
      return { items: answer.members, total: answer.total, next: answer.next, key: q };
    },
    [q],
  );
  return (
    <Card title={t('network.search')} className="side">
      <input
        type="search"
        className="search"
        placeholder={t('network.searchPlaceholder')}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        aria-label={t('network.search')}
      />
      {found.error ? <ErrorNote error={found.error} /> : null}
      {found.total === undefined ? (
        found.error ? null : (
          <Loading />
        )
      ) : (
        <div className="search-results" data-query={found.key} aria-busy={found.loading}>
          {found.total === 0 ? (
            <Empty>{t('network.noMatch', { q: found.key ?? q })}</Empty>
          ) : (
            <p className="muted small match-count">{t('network.matches', { n: found.total.toLocaleString() })}</p>
          )}
          <ul className="pick-list" data-loaded="network">
            {found.items.map((m) => (
              <li key={m.id}>
                <button type="button" className={m.id === selected ? 'on' : ''} onClick={() => onPick(m.id)}>
                  <strong>{m.id}</strong>
                  <RoleBadge role={m.role} level={m.level} />
                </button>
              </li>
            ))}
            {found.hasMore ? <LoadMore label={t('network.moreMatches')} loading={found.loading} onMore={found.more} /> : null}
          </ul>
        </div>
      )}
    </Card>
  );
}

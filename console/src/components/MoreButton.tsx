import { useI18n } from '../i18n/i18n';

/** The end of a list read page by page: a button for the next page, shown while there is one. */
export function MoreButton({ hasMore, loading, onMore }: { hasMore: boolean; loading: boolean; onMore: () => void }) {
  const { t } = useI18n();
  if (!hasMore) return null;
  return (
    <div className="more-row">
      <button type="button" className="ghost" disabled={loading} aria-busy={loading} onClick={onMore}>
        {loading ? t('common.loading') : t('common.more')}
      </button>
    </div>
  );
}

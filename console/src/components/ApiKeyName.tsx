import { api, ok } from '../api/client';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { useAsync } from '../lib/useAsync';

/** The tenant's API keys by id (admin keys only; an empty map otherwise): what a key id stands for. */
export function useKeyLabels(): ReadonlyMap<string, { readonly label: string | null; readonly scope: string }> {
  const { can } = useSession();
  const admin = can('admin');
  const keys = useAsync(admin ? () => ok(api.GET('/v1/keys')) : null, [admin]);
  return new Map((keys.data?.keys ?? []).map((key) => [key.id, { label: key.label ?? null, scope: key.scope }]));
}

/**
 * Who acted: an API key id with its label (and "this key" for the one signed in), or what the
 * server recorded otherwise (`cli:<user>` for the command line).
 */
export function ApiKeyName({ id, labels }: { id: string | null; labels: ReturnType<typeof useKeyLabels> }) {
  const { t } = useI18n();
  const { me } = useSession();
  if (id === null) return <span className="muted">—</span>;
  const known = labels.get(id);
  return (
    <span className="key-name">
      <code>{id}</code>
      {known?.label ? <span className="muted small"> {known.label}</span> : null}
      {id === me?.key.id ? <span className="muted small"> · {t('settings.thisKey')}</span> : null}
    </span>
  );
}

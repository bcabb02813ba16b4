import { useI18n } from '../i18n/i18n';
import { Badge } from './ui';

/**
 * A refusal's code as a person reads it: its name in the console's language (成员不存在), the code
 * itself beside it (what the API documentation and the shop's logs say).
 */
export function ErrorCode({ code }: { code: string }) {
  const { t, has } = useI18n();
  const key = `errorCode.${code}`;
  if (!has(key)) return <Badge tone="bad">{code}</Badge>;
  return (
    <span className="error-code">
      <Badge tone="bad">{t(key)}</Badge> <code className="muted small">{code}</code>
    </span>
  );
}

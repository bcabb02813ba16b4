import { useI18n } from '../i18n/i18n';
import { Badge } from './ui';

/**
 * A refusal's code as a person reads it: its name in the console's language (成员不存在), the code
 * itself beside it (what the API documentation and the shop's logs say).
 */
export function ErrorCode({ code }: { code: string }) {
  const { nameOf } = useI18n();
  const name = nameOf('errorCode', code);
  if (name === null) return <Badge tone="bad">{code}</Badge>;
  return (
    <span className="error-code">
      <Badge tone="bad">{name}</Badge> <code className="muted small">{code}</code>
    </span>
  );
}

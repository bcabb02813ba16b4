import { RuleName } from '../../components/RuleName';
import { Badge } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import type { RuleNames } from '../../lib/ruleNames';

/** A lint finding as the API gives it (plan versions, the lint of a draft, the plan library). */
export interface Finding {
  readonly code: string;
  readonly severity: 'warn' | 'refuse';
  readonly template?: string;
  readonly message: string;
  /** The message in Simplified Chinese, when the profile has one. */
  readonly messageZh?: string;
}

/** "clean", or the refusals and warnings counted, as badges. */
export function FindingCounts({ findings }: { findings: readonly Finding[] }) {
  const { t } = useI18n();
  const refuse = findings.filter((f) => f.severity === 'refuse').length;
  const warn = findings.length - refuse;
  if (findings.length === 0) return <Badge tone="good">{t('plans.clean')}</Badge>;
  return (
    <span className="badges">
      {refuse ? <Badge tone="bad">{t('plans.refuseCount', { n: refuse })}</Badge> : null}
      {warn ? <Badge tone="warn">{t('plans.warnCount', { n: warn })}</Badge> : null}
    </span>
  );
}

/**
 * Every finding with its severity, code, template and message; a check mark when there is none.
 * The template is named as `names` (the linted plan's) names it, its id beside (the id alone without).
 */
export function Findings({ findings, names }: { findings: readonly Finding[]; names?: RuleNames }) {
  const { t, lang } = useI18n();
  if (findings.length === 0) return <p className="ok-line">✓ {t('plans.noFindings')}</p>;
  return (
    <ul className="findings">
      {findings.map((f, i) => (
        <li key={i} className={f.severity}>
          <Badge tone={f.severity === 'refuse' ? 'bad' : 'warn'}>{t(`plans.severity.${f.severity}`)}</Badge> <code>{f.code}</code>
          {f.template ? (
            <span className="muted">
              {' · '}
              <RuleName rule={f.template} name={names?.get(f.template)} />
            </span>
          ) : null}
          <div>{lang === 'zh-CN' && f.messageZh ? f.messageZh : f.message}</div>
        </li>
      ))}
    </ul>
  );
}

import { useMemo } from 'react';
import { api, ok } from '../api/client';
import { useSession } from '../auth/session';
import { ruleNamesInForce, type RuleNames } from '../lib/ruleNames';
import { useAsync } from '../lib/useAsync';

const NO_NAMES: RuleNames = new Map();

/**
 * The rule names of the plan in force (GET /v1/plans, which API keys may read; an empty map for
 * a leader, whose pages take names from their awards instead).
 */
export function usePlanRuleNames(): RuleNames {
  const { can } = useSession();
  const reader = can('read');
  const plans = useAsync(reader ? () => ok(api.GET('/v1/plans')) : null, [reader]);
  return useMemo(() => (plans.data ? ruleNamesInForce(plans.data.versions, Date.now()) : NO_NAMES), [plans.data]);
}

/** A rule as a person reads it: its name, with its id beside it (and as the tooltip); the id alone when it has no name. */
export function RuleName({ rule, name }: { rule: string; name?: string | null | undefined }) {
  if (!name) return <code data-rule={rule}>{rule}</code>;
  return (
    <span className="rule-name" data-rule={rule} title={rule}>
      {name} <code className="muted small">{rule}</code>
    </span>
  );
}

import { fail, InputError } from '../domain/errors.ts';
import { Engine } from '../engine/engine.ts';
import { lintPlan } from '../lint/lint.ts';
import type { Finding } from '../lint/profile.ts';
import { isValidZone } from '../schema/primitives.ts';
import type { Service } from './service.ts';
import { toJson } from './json.ts';
import { writeAudit } from './audit.ts';

export interface NewTenant {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly currency: string;
  readonly plan?: unknown;
}

/**
 * Creates a tenant with its first plan version (in force from the beginning). `accept` sees the
 * plan's lint findings first and may refuse them (throw): nothing is stored then.
 */
export async function createTenant(
  service: Service,
  input: NewTenant,
  accept: (findings: readonly Finding[]) => void = () => undefined,
): Promise<{ findings: Finding[] }> {
  if (!isValidZone(input.timezone)) throw new InputError(fail('invalid', `unknown time zone "${input.timezone}"`, ['timezone']));
  const plan = input.plan ?? { templates: [] };
  // Validates the plan exactly as the engine will use it.
  const engine = Engine.create({ timezone: input.timezone, currency: input.currency, plan });
  const findings = lintPlan(engine.state.plans[0]!.compiled);
  accept(findings);
  await service.sql.transaction(async (tx) => {
    // (Not a check before the insert: two instances creating the same tenant at once would both pass it.)
    const created =
      (
        await tx.query(
          'insert into tenants (id, name, timezone, currency) values ($1, $2, $3, $4) on conflict (id) do nothing returning id',
          [input.id, input.name, input.timezone, input.currency],
        )
      ).rows.length > 0;
    if (!created) throw new InputError(fail('conflict', `tenant ${input.id} already exists`, ['id']));
    await tx.query(
      'insert into plan_versions (tenant_id, version, effective_from, plan, findings) values ($1, 1, null, $2, $3)',
      [input.id, toJson(plan), toJson(findings)],
    );
  });
  return { findings };
}

/**
 * Publishes a plan version in force from `effectiveFrom` (after every event applied so far).
 * Orders keep the version in force when they were paid.
 */
export async function publishPlan(
  service: Service,
  tenant: string,
  plan: unknown,
  effectiveFrom: number,
  actor?: string,
): Promise<{ version: number; findings: Finding[] }> {
  return service.withTenant(tenant, async (runtime, tx) => {
    // Validate on a copy first: the live engine changes only when the version is stored.
    const probe = Engine.create({ timezone: runtime.engine.settings.timezone, currency: runtime.engine.settings.currency, plan });
    const findings = lintPlan(probe.state.plans[0]!.compiled);
    runtime.engine.addPlanVersion(plan, effectiveFrom);
    const version = runtime.planVersions + 1;
    await tx.query('insert into plan_versions (tenant_id, version, effective_from, plan, findings) values ($1, $2, $3, $4, $5)', [
      tenant,
      version,
      new Date(effectiveFrom).toISOString(),
      toJson(plan),
      toJson(findings),
    ]);
    if (actor !== undefined) {
      await writeAudit(tx, tenant, [
        {
          actor,
          action: 'plan.published',
          target: `v${version}`,
          details: { version, effectiveFrom: new Date(effectiveFrom).toISOString(), findings: findings.map((f) => f.code) },
        },
      ]);
    }
    runtime.planVersions = version;
    return { version, findings };
  });
}

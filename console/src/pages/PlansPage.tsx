import { useEffect, useMemo, useRef, useState } from 'react';
import { parse, stringify, YAMLParseError } from 'yaml';
import { api, ApiFailure, ok, type Reply } from '../api/client';
import { useSession } from '../auth/session';
import { BarChart } from '../components/BarChart';
import { DataTable } from '../components/DataTable';
import { Async, Badge, Card, ErrorNote, PageHeader } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { addDays, compact, dateTime, money, today, zonedInstant } from '../lib/format';
import { ruleNamesOfPlan } from '../lib/ruleNames';
import { useAsync, useDebounced } from '../lib/useAsync';
import { FindingCounts, Findings } from './plans/findings';
import { LibraryPicker, type LibraryPlan } from './plans/LibraryPicker';

type Lint =
  | { kind: 'yaml'; message: string; line?: number }
  | { kind: 'api'; result: Reply<'/v1/plans/lint', 'post'> }
  | { kind: 'failed'; error: unknown };

type YamlLint = Extract<Lint, { kind: 'yaml' }>;

/** A draft that is not YAML, as the editor and the simulation both tell it: its message and line. */
function yamlLintOf(error: unknown): YamlLint {
  const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
  return { kind: 'yaml', message: error instanceof Error ? error.message : String(error), ...(line ? { line } : {}) };
}

/** "YAML error: line N" and the parser's first line of message. */
function YamlErrorNote({ error, role }: { error: YamlLint; role?: 'alert' }) {
  const { t } = useI18n();
  return (
    <div className="error-note" role={role} data-yaml-error={error.line ?? ''}>
      <strong>{t('plans.yamlError')}</strong> {error.line ? t('plans.atLine', { line: error.line }) : ''}{' '}
      {error.message.split('\n')[0]}
    </div>
  );
}

const templatesOf = (plan: unknown): number => ((plan as { templates?: unknown[] } | null)?.templates ?? []).length;

const LIBRARY_ID = 'plan-library';
const DRAFT_ID = 'plan-draft';

/**
 * Plan versions, a YAML editor with live lint (POST /v1/plans/lint) and publishing with an
 * effective date; a draft starts from the current version, an earlier one, or the plan library.
 */
/**
 * After a library plan is loaded: the editor has the focus, its caret and view at the top (the
 * plan's reasoning, in its header comment), and the draft's card is scrolled into view.
 */
function showDraftTop(): void {
  const editor = document.getElementById(DRAFT_ID);
  if (!(editor instanceof HTMLTextAreaElement)) return;
  editor.focus({ preventScroll: true });
  editor.setSelectionRange(0, 0);
  editor.scrollTop = 0;
  editor.closest('.card')?.scrollIntoView({ block: 'start' });
}

export default function PlansPage() {
  const { t, lang } = useI18n();
  const { me, can } = useSession();
  const zone = me!.tenant.timezone;
  const versions = useAsync(() => ok(api.GET('/v1/plans')), []);
  const [selected, setSelected] = useState<number | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  // The text last put in the draft by the page (a version, a library plan): what the operator
  // changed since is theirs, and loading a library plan over it asks first.
  const [baseline, setBaseline] = useState<string | null>(null);
  // Where the draft came from, when it is a library plan (shown above the editor until replaced).
  const [origin, setOrigin] = useState<LibraryPlan | null>(null);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const libraryToggle = useRef<HTMLButtonElement>(null);
  const [published, setPublished] = useState<string | null>(null);
  const list = useMemo(() => [...(versions.data?.versions ?? [])].reverse(), [versions.data]);
  const shown = list.find((v) => v.version === selected) ?? list[0];
  // The version in force now (the newest one whose time has come) and those published for later.
  const now = Date.now();
  const inForce = list.find((v) => !v.effectiveFrom || Date.parse(v.effectiveFrom) <= now)?.version;
  const dirty = draft !== null && draft !== baseline && draft.trim() !== '';

  function replaceDraft(text: string, from: LibraryPlan | null) {
    setDraft(text);
    setBaseline(text);
    setOrigin(from);
  }

  useEffect(() => {
    if (draft === null && list[0]) replaceDraft(stringify(list[0].plan), null);
  }, [draft, list]);

  return (
    <div data-page="plans">
      <PageHeader
        title={t('plans.title')}
        subtitle={t('plans.subtitle')}
        actions={
          <button
            type="button"
            ref={libraryToggle}
            aria-expanded={libraryOpen}
            aria-controls={LIBRARY_ID}
            onClick={() => setLibraryOpen((open) => !open)}
          >
            {t('plans.library.open')}
          </button>
        }
      />
      {libraryOpen ? (
        <LibraryPicker
          id={LIBRARY_ID}
          dirty={dirty}
          onClose={() => {
            setLibraryOpen(false);
            libraryToggle.current?.focus();
          }}
          onLoad={(plan) => {
            // The file as written, its reasoning in its comments; nothing is published.
            replaceDraft(plan.yaml, plan);
            setPublished(null);
            setLibraryOpen(false);
            requestAnimationFrame(showDraftTop);
          }}
        />
      ) : null}
      {published ? (
        <div className="ok-note" role="status">
          {published}
        </div>
      ) : null}
      <Async state={versions}>
        {() => (
          <div className="stack" data-loaded="plans">
            <Card title={t('plans.versions')}>
              <DataTable
                rows={list}
                rowKey={(v) => String(v.version)}
                selected={shown ? String(shown.version) : null}
                onRowClick={(v) => setSelected(v.version)}
                empty={t('plans.none')}
                columns={[
                  {
                    key: 'version',
                    label: t('plans.version'),
                    render: (v) => {
                      const state =
                        v.version === inForce
                          ? 'in-force'
                          : v.effectiveFrom && Date.parse(v.effectiveFrom) > now
                            ? 'scheduled'
                            : null;
                      return (
                        <span className="badges" data-version-state={state ?? undefined}>
                          <strong>v{v.version}</strong>
                          {state === 'in-force' ? <Badge tone="good">{t('plans.inForce')}</Badge> : null}
                          {state === 'scheduled' ? <Badge tone="info">{t('plans.scheduled')}</Badge> : null}
                        </span>
                      );
                    },
                  },
                  {
                    key: 'from',
                    label: t('plans.effectiveFrom'),
                    render: (v) => (v.effectiveFrom ? dateTime(v.effectiveFrom, lang, zone) : t('plans.fromStart')),
                  },
                  {
                    key: 'name',
                    label: t('plans.name'),
                    render: (v) => String((v.plan as { name?: string } | null)?.name ?? '—'),
                  },
                  { key: 'templates', label: t('plans.templates'), align: 'right', render: (v) => templatesOf(v.plan) },
                  { key: 'findings', label: t('plans.findings'), render: (v) => <FindingCounts findings={v.findings} /> },
                ]}
              />
            </Card>
            <div className="grid-2 plans-grid">
              {shown ? (
                <Card
                  title={t('plans.versionTitle', { version: shown.version })}
                  actions={
                    <button
                      type="button"
                      className="ghost"
                      onClick={() => {
                        // Unpublished edits are the operator's: replacing them asks first (as the library does).
                        if (!dirty || confirm(t('plans.copyConfirm', { version: shown.version })))
                          replaceDraft(stringify(shown.plan), null);
                      }}
                    >
                      {t('plans.copyToDraft')}
                    </button>
                  }
                >
                  <pre className="code">{stringify(shown.plan)}</pre>
                  <Findings findings={shown.findings} names={ruleNamesOfPlan(shown.plan)} />
                </Card>
              ) : null}
              <Editor
                draft={draft ?? ''}
                origin={origin}
                onChange={setDraft}
                canPublish={can('admin')}
                onPublished={(version) => {
                  setPublished(t('plans.published', { version }));
                  setBaseline(draft);
                  versions.reload();
                }}
                defaultDay={addDays(today(zone), 1)}
              />
            </div>
            <Simulation draft={draft ?? ''} />
          </div>
        )}
      </Async>
    </div>
  );
}

function Editor({
  draft,
  origin,
  onChange,
  canPublish,
  onPublished,
  defaultDay,
}: {
  draft: string;
  /** The library plan the draft was loaded from, if it was. */
  origin: LibraryPlan | null;
  onChange: (text: string) => void;
  canPublish: boolean;
  onPublished: (version: number) => void;
  defaultDay: string;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const zone = me!.tenant.timezone;
  const settled = useDebounced(draft, 350, (previous) => previous.trim() === '');
  const [day, setDay] = useState(defaultDay);
  const [time, setTime] = useState('00:00');
  const [allowRefused, setAllowRefused] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const [publishError, setPublishError] = useState<unknown>(null);
  // A refusal is of what was sent: it goes once the draft, the date or the review box changes.
  useEffect(() => setPublishError(null), [draft, day, time, allowRefused]);

  const parsed = useMemo((): { plan: unknown } | { error: Lint } => {
    try {
      return { plan: parse(settled) };
    } catch (error) {
      return { error: yamlLintOf(error) };
    }
  }, [settled]);
  const lint = useAsync<Lint>(
    settled.trim()
      ? async () => {
          if ('error' in parsed) return parsed.error;
          try {
            return { kind: 'api', result: await ok(api.POST('/v1/plans/lint', { body: { plan: parsed.plan } })) };
          } catch (error) {
            return { kind: 'failed', error };
          }
        }
      : null,
    [parsed],
  );
  const result = lint.data;
  // The findings name the draft's rules as the draft linted names them.
  const names = useMemo(() => ruleNamesOfPlan('error' in parsed ? null : parsed.plan), [parsed]);
  const refused = result?.kind === 'api' && result.result.findings.some((f) => f.severity === 'refuse');
  const publishable = result?.kind === 'api' && result.result.valid && (!refused || allowRefused) && draft === settled;

  async function publish() {
    if ('error' in parsed) return;
    setPublishing(true);
    setPublishError(null);
    try {
      const answer = await ok(
        api.POST('/v1/plans', { body: { plan: parsed.plan, effectiveFrom: zonedInstant(day, time, zone), allowRefused } }),
      );
      onPublished(answer.version);
    } catch (error) {
      setPublishError(error);
    } finally {
      setPublishing(false);
    }
  }

  return (
    <Card title={t('plans.draft')} className="draft-card">
      <p className="muted small">{t('plans.draftHint')}</p>
      {origin ? (
        <p className="draft-origin small" role="status" data-draft-origin={`${origin.model}/${origin.stage}`}>
          {t('plans.library.loaded', { name: origin.title, file: origin.file })}
        </p>
      ) : null}
      <textarea
        id={DRAFT_ID}
        className="editor"
        spellCheck={false}
        value={draft}
        onChange={(event) => onChange(event.target.value)}
        aria-label={t('plans.draft')}
        rows={22}
      />
      <div
        className="lint"
        aria-live="polite"
        data-lint={result?.kind === 'api' ? (result.result.valid ? 'valid' : 'invalid') : (result?.kind ?? 'pending')}
      >
        {lint.loading || draft !== settled ? <p className="muted">{t('plans.linting')}</p> : null}
        {result?.kind === 'yaml' ? <YamlErrorNote error={result} /> : null}
        {result?.kind === 'failed' ? <ErrorNote error={result.error} /> : null}
        {result?.kind === 'api' && !result.result.valid ? (
          <div className="error-note">
            <strong>{t('plans.invalid')}</strong> {result.result.error?.message}
            {result.result.error?.path?.length ? <code> ({result.result.error.path.join('.')})</code> : null}
          </div>
        ) : null}
        {result?.kind === 'api' && result.result.valid ? (
          <>
            {result.result.findings.some((finding) => finding.severity === 'refuse') ? (
              <p className="error-note">{t('plans.validButRefused')}</p>
            ) : (
              <p className="ok-line">✓ {t('plans.valid')}</p>
            )}
            <Findings findings={result.result.findings} names={names} />
          </>
        ) : null}
      </div>
      {canPublish ? (
        <div className="publish">
          <h3>{t('plans.publish')}</h3>
          <div className="row">
            <label className="inline-field">
              <span>{t('plans.effectiveFrom')}</span>
              <input
                type="date"
                value={day}
                min={today(zone)}
                onChange={(event) => setDay(event.target.value)}
                aria-label={t('plans.effectiveDay')}
                required
              />
              <input
                type="time"
                value={time}
                onChange={(event) => setTime(event.target.value)}
                aria-label={t('plans.effectiveTime')}
                required
              />
            </label>
            <span className="muted small">{zone}</span>
          </div>
          {refused ? (
            <label className="check warn">
              <input type="checkbox" checked={allowRefused} onChange={(event) => setAllowRefused(event.target.checked)} />{' '}
              {t('plans.allowRefused')}
            </label>
          ) : null}
          {publishError ? <ErrorNote error={publishError instanceof ApiFailure ? publishError : String(publishError)} /> : null}
          <button type="button" className="primary" disabled={!publishable || publishing || !day} onClick={publish}>
            {publishing ? t('plans.publishing') : t('plans.publishButton')}
          </button>
        </div>
      ) : (
        <p className="muted small">{t('plans.adminOnly')}</p>
      )}
    </Card>
  );
}

type Simulated = Reply<'/v1/simulations', 'post'>;
const SIM_MEMBERS = 2000;
const SIM_MONTHS = 6;
const SIM_COLORS = ['#64748b', '#c2410c'];

/**
 * "What would the draft cost?": POST /v1/simulations with the current plan and the draft over the
 * same generated data (small, so that it answers in seconds), cost and cost ratio per month side by side.
 */
function Simulation({ draft }: { draft: string }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const currency = me!.tenant.currency;
  // Kept as typed: a number out of range is told and not run (it was replaced by the default, or
  // sent and answered with the API's validation text over the last result).
  const [membersText, setMembersText] = useState(String(SIM_MEMBERS));
  const [monthsText, setMonthsText] = useState(String(SIM_MONTHS));
  const members = wholeIn(membersText, 100, 200_000);
  const months = wholeIn(monthsText, 1, 24);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<Simulated | null>(null);
  async function run() {
    if (members === null || months === null) return;
    setRunning(true);
    setError(null);
    try {
      const plan: unknown = parse(draft);
      const start = addDays(today(me!.tenant.timezone), -31 * months).slice(0, 7);
      setResult(
        await ok(
          api.POST('/v1/simulations', {
            body: {
              plans: ['current', { name: t('plans.simDraft'), plan }],
              generator: {
                seed: 1,
                start,
                months,
                network: { members, roots: 10 },
                orders: { ordersPerMonth: Math.max(500, members * 2) },
              },
            },
          }),
        ),
      );
    } catch (failure) {
      setResult(null);
      // A draft that is not YAML is told as the editor tells it; the API's refusals as they come.
      setError(failure instanceof YAMLParseError ? yamlLintOf(failure) : failure);
    } finally {
      setRunning(false);
    }
  }
  const plans = result?.plans ?? [];
  const labels = result?.months ?? [];
  const names = plans.map((p, i) => (i === 0 ? t('plans.simCurrent') : p.name));
  return (
    <Card
      title={t('plans.simTitle')}
      actions={
        <div className="row">
          <label className="inline-field">
            <span>{t('plans.simMembers')}</span>
            <input
              type="number"
              min={100}
              max={200000}
              step={100}
              value={membersText}
              aria-invalid={members === null}
              onChange={(e) => setMembersText(e.target.value)}
            />
          </label>
          <label className="inline-field">
            <span>{t('plans.simMonths')}</span>
            <input
              type="number"
              min={1}
              max={24}
              value={monthsText}
              aria-invalid={months === null}
              onChange={(e) => setMonthsText(e.target.value)}
            />
          </label>
          <button
            type="button"
            className="primary"
            disabled={running || !draft.trim() || members === null || months === null}
            onClick={run}
          >
            {running ? t('plans.simRunning') : t('plans.simRun')}
          </button>
        </div>
      }
    >
      <p className="muted small">{t('plans.simHint')}</p>
      {members === null || months === null ? <p className="error-note">{t('plans.simBounds')}</p> : null}
      {isYamlLint(error) ? <YamlErrorNote error={error} role="alert" /> : error ? <ErrorNote error={error} /> : null}
      {result ? (
        <div className="stack" data-loaded="simulation">
          <div className="grid-2">
            <div>
              <h3>{t('plans.simCost')}</h3>
              <BarChart
                grouped
                title={t('plans.simCost')}
                labels={labels}
                series={plans.map((p, i) => ({
                  name: names[i]!,
                  values: p.months.map((m) => Number(m.cost)),
                  color: SIM_COLORS[i % 2],
                }))}
                format={(v) => compact(v, lang)}
              />
            </div>
            <div>
              <h3>{t('plans.simRatio')}</h3>
              <BarChart
                grouped
                title={t('plans.simRatio')}
                labels={labels}
                series={plans.map((p, i) => ({
                  name: names[i]!,
                  values: p.months.map((m) => m.ratio * 100),
                  color: SIM_COLORS[i % 2],
                }))}
                format={(v) => `${v.toFixed(1)}%`}
              />
            </div>
          </div>
          <DataTable
            rows={plans}
            empty=""
            rowKey={(p) => p.name}
            columns={[
              { key: 'name', label: t('plans.name'), render: (p) => <strong data-sim-plan>{names[plans.indexOf(p)]}</strong> },
              { key: 'gmv', label: t('dashboard.gmv'), align: 'right', render: (p) => money(p.totals.gmv, currency) },
              {
                key: 'cost',
                label: t('dashboard.cost'),
                align: 'right',
                render: (p) => <strong>{money(p.totals.cost, currency)}</strong>,
              },
              {
                key: 'ratio',
                label: t('plans.simRatio'),
                align: 'right',
                render: (p) => `${(p.totals.ratio * 100).toFixed(2)}%`,
              },
              { key: 'earners', label: t('plans.simEarners'), align: 'right', render: (p) => p.totals.payouts.earners },
              { key: 'gini', label: t('plans.simGini'), align: 'right', render: (p) => p.totals.payouts.gini.toFixed(2) },
              { key: 'findings', label: t('plans.findings'), render: (p) => <FindingCounts findings={p.findings} /> },
            ]}
          />
          <p className="muted small">{t('plans.simTiming', { ms: result.timing.totalMs })}</p>
        </div>
      ) : null}
    </Card>
  );
}

const isYamlLint = (error: unknown): error is YamlLint => (error as { kind?: unknown } | null)?.kind === 'yaml';

/** A whole number from `min` to `max` typed in a field, or null. */
function wholeIn(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const value = Number(text.trim());
  return value >= min && value <= max ? value : null;
}

import { useEffect, useMemo, useState } from 'react';
import { parse, stringify, YAMLParseError } from 'yaml';
import { api, ApiFailure, ok, type Reply } from '../api/client';
import { useSession } from '../auth/session';
import { DataTable } from '../components/DataTable';
import { Async, Badge, Card, ErrorNote, PageHeader } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { addDays, dateTime, today, zonedInstant } from '../lib/format';
import { useAsync, useDebounced } from '../lib/useAsync';

type Version = Reply<'/v1/plans'>['versions'][number];
type Finding = Version['findings'][number];
type Lint =
  | { kind: 'yaml'; message: string; line?: number }
  | { kind: 'api'; result: Reply<'/v1/plans/lint', 'post'> }
  | { kind: 'failed'; error: unknown };

const templatesOf = (plan: unknown): number => ((plan as { templates?: unknown[] } | null)?.templates ?? []).length;

/** Plan versions, a YAML editor with live lint (POST /v1/plans/lint) and publishing with an effective date. */
export default function PlansPage() {
  const { t, lang } = useI18n();
  const { me, can } = useSession();
  const zone = me!.tenant.timezone;
  const versions = useAsync(() => ok(api.GET('/v1/plans')), []);
  const [selected, setSelected] = useState<number | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [published, setPublished] = useState<string | null>(null);
  const list = useMemo(() => [...(versions.data?.versions ?? [])].reverse(), [versions.data]);
  const shown = list.find((v) => v.version === selected) ?? list[0];

  useEffect(() => {
    if (draft === null && list[0]) setDraft(stringify(list[0].plan));
  }, [draft, list]);

  return (
    <div data-page="plans">
      <PageHeader title={t('plans.title')} subtitle={t('plans.subtitle')} />
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
                  { key: 'version', label: t('plans.version'), render: (v) => <strong>v{v.version}</strong> },
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
                    <button type="button" className="ghost" onClick={() => setDraft(stringify(shown.plan))}>
                      {t('plans.copyToDraft')}
                    </button>
                  }
                >
                  <pre className="code">{stringify(shown.plan)}</pre>
                  <Findings findings={shown.findings} />
                </Card>
              ) : null}
              <Editor
                draft={draft ?? ''}
                onChange={setDraft}
                canPublish={can('admin')}
                onPublished={(version) => {
                  setPublished(t('plans.published', { version }));
                  versions.reload();
                }}
                defaultDay={addDays(today(zone), 1)}
              />
            </div>
          </div>
        )}
      </Async>
    </div>
  );
}

function FindingCounts({ findings }: { findings: readonly Finding[] }) {
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

function Findings({ findings }: { findings: readonly Finding[] }) {
  const { t } = useI18n();
  if (findings.length === 0) return <p className="ok-line">✓ {t('plans.noFindings')}</p>;
  return (
    <ul className="findings">
      {findings.map((f, i) => (
        <li key={i} className={f.severity}>
          <Badge tone={f.severity === 'refuse' ? 'bad' : 'warn'}>{t(`plans.severity.${f.severity}`)}</Badge> <code>{f.code}</code>
          {f.template ? <span className="muted"> · {f.template}</span> : null}
          <div>{f.message}</div>
        </li>
      ))}
    </ul>
  );
}

function Editor({
  draft,
  onChange,
  canPublish,
  onPublished,
  defaultDay,
}: {
  draft: string;
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

  const parsed = useMemo((): { plan: unknown } | { error: Lint } => {
    try {
      return { plan: parse(settled) };
    } catch (error) {
      const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
      return {
        error: { kind: 'yaml', message: error instanceof Error ? error.message : String(error), ...(line ? { line } : {}) },
      };
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
    <Card title={t('plans.draft')}>
      <p className="muted small">{t('plans.draftHint')}</p>
      <textarea
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
        {result?.kind === 'yaml' ? (
          <div className="error-note">
            <strong>{t('plans.yamlError')}</strong> {result.line ? t('plans.atLine', { line: result.line }) : ''}{' '}
            {result.message.split('\n')[0]}
          </div>
        ) : null}
        {result?.kind === 'failed' ? <ErrorNote error={result.error} /> : null}
        {result?.kind === 'api' && !result.result.valid ? (
          <div className="error-note">
            <strong>{t('plans.invalid')}</strong> {result.result.error?.message}
            {result.result.error?.path?.length ? <code> ({result.result.error.path.join('.')})</code> : null}
          </div>
        ) : null}
        {result?.kind === 'api' && result.result.valid ? (
          <>
            <p className="ok-line">✓ {t('plans.valid')}</p>
            <Findings findings={result.result.findings} />
          </>
        ) : null}
      </div>
      {canPublish ? (
        <div className="publish">
          <h3>{t('plans.publish')}</h3>
          <div className="row">
            <label className="inline-field">
              <span>{t('plans.effectiveFrom')}</span>
              <input type="date" value={day} onChange={(event) => setDay(event.target.value)} required />
              <input type="time" value={time} onChange={(event) => setTime(event.target.value)} required />
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

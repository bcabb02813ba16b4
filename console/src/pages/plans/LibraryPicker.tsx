import { useMemo, useState } from 'react';
import { parse } from 'yaml';
import { api, ok, type Reply } from '../../api/client';
import { Async, Card } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { ruleNamesOfPlan } from '../../lib/ruleNames';
import { useAsync } from '../../lib/useAsync';
import { FindingCounts, Findings } from './findings';

export type LibraryPlan = Reply<'/v1/plan-library'>['plans'][number];

/**
 * "Start from the library" (GET /v1/plan-library): pick a business model and a network stage, read
 * the ready plan's name, what it pays, its reasoning as the library file gives it and its cn lint,
 * then load it into the draft. Nothing is published: the operator lints, simulates and publishes
 * the draft as any other. Loading over a draft the operator edited asks first.
 */
export function LibraryPicker({
  id,
  dirty,
  onLoad,
  onClose,
}: {
  /** The element id the toggle button controls (aria-controls). */
  id: string;
  /** Whether the draft holds edits of the operator's that loading would replace. */
  dirty: boolean;
  onLoad: (plan: LibraryPlan) => void;
  onClose: () => void;
}) {
  const { t, lang } = useI18n();
  const library = useAsync(() => ok(api.GET('/v1/plan-library')), []);
  const [model, setModel] = useState<string | null>(null);
  const [stage, setStage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const label = (names: { zh: string; en: string }) => (lang === 'en' ? `${names.en} (${names.zh})` : names.zh);

  return (
    <div id={id} role="region" aria-label={t('plans.library.title')}>
      <Card
        className="library"
        title={t('plans.library.title')}
        actions={
          <button type="button" className="ghost small" onClick={onClose}>
            {t('common.close')}
          </button>
        }
      >
        <p className="muted small">{t('plans.library.hint')}</p>
        <Async state={library}>
          {(data) => {
            const chosenModel = model ?? data.models[0]?.id;
            const chosenStage = stage ?? data.stages[0]?.id;
            const plan = data.plans.find((p) => p.model === chosenModel && p.stage === chosenStage);
            return (
              <div className="stack" data-loaded="library">
                <div className="row library-choice">
                  <label className="field">
                    <span>{t('plans.library.model')}</span>
                    <select
                      value={chosenModel}
                      onChange={(event) => {
                        setModel(event.target.value);
                        setConfirming(false);
                      }}
                    >
                      {data.models.map((m) => (
                        <option key={m.id} value={m.id}>
                          {label(m)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label className="field">
                    <span>{t('plans.library.stage')}</span>
                    <select
                      value={chosenStage}
                      onChange={(event) => {
                        setStage(event.target.value);
                        setConfirming(false);
                      }}
                    >
                      {data.stages.map((s) => (
                        <option key={s.id} value={s.id}>
                          {label(s)}
                        </option>
                      ))}
                    </select>
                  </label>
                </div>
                {plan ? <LibraryPlanView plan={plan} /> : <p className="muted">{t('plans.library.none')}</p>}
                {plan ? (
                  <div className="library-load">
                    {confirming ? (
                      <div className="secret" role="alert">
                        <p>{t('plans.library.replaceWarning')}</p>
                        <div className="row">
                          <button type="button" className="primary" onClick={() => onLoad(plan)}>
                            {t('plans.library.replace')}
                          </button>
                          <button type="button" className="ghost" onClick={() => setConfirming(false)}>
                            {t('plans.library.cancel')}
                          </button>
                        </div>
                      </div>
                    ) : (
                      <button type="button" className="primary" onClick={() => (dirty ? setConfirming(true) : onLoad(plan))}>
                        {t('plans.library.load')}
                      </button>
                    )}
                    <p className="muted small">{t('plans.library.loadHint')}</p>
                  </div>
                ) : null}
              </div>
            );
          }}
        </Async>
      </Card>
    </div>
  );
}

/**
 * One library plan: its name and what it pays, the templates it stacks, its cn lint and its
 * reasoning, the headline and the reasoning in the language of the console (the library file
 * writes both: each English section is followed by its Chinese one).
 */
function LibraryPlanView({ plan }: { plan: LibraryPlan }) {
  const { t, lang } = useI18n();
  const zh = lang === 'zh-CN';
  // Its findings name its rules as the file does (`name:`); the ids alone if it cannot be read.
  const names = useMemo(() => {
    try {
      return ruleNamesOfPlan(parse(plan.yaml));
    } catch {
      return undefined;
    }
  }, [plan.yaml]);
  return (
    <article className="library-plan" data-library-plan={`${plan.model}/${plan.stage}`}>
      <h3>{plan.title}</h3>
      <p className="library-headline">{zh ? plan.descriptionZh : plan.description}</p>
      <p className="row small">
        <span className="muted">{t('plans.library.templates')}</span>
        {plan.templates.map((template, i) => (
          <code key={i}>{template}</code>
        ))}
        <span className="muted break">{plan.file}</span>
      </p>
      <h4>
        {t('plans.library.lint')} <FindingCounts findings={plan.findings} />
      </h4>
      <Findings findings={plan.findings} names={names} />
      <h4>{t('plans.library.reasoning')}</h4>
      <p className="muted small">{t('plans.library.asWritten')}</p>
      <div className="library-notes" tabIndex={0} role="region" aria-label={t('plans.library.reasoning')}>
        {plan.notes.map((english, index) => {
          const note = zh ? (plan.notesZh[index] ?? english) : english;
          return (
            <section key={english.heading}>
              <h5>{note.heading}</h5>
              <p className="pre-text">{note.text}</p>
            </section>
          );
        })}
      </div>
    </article>
  );
}

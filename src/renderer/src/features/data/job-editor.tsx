import { useId, useState, type FormEvent } from 'react';
import type { Instrument } from '../../../../shared/domain';
import type { ProviderStatus } from '../../../../shared/providers';
import { isWorkspaceJob, needsProvider, scheduledJobKinds, type IngestJob, type LiveTracking, type ScheduledJobKind } from '../../../../shared/scheduler';
import { timeframes } from '../../../../shared/timeframes';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { formatUtcDateTime } from './data-format';
import { FormField } from './form-field';
import { emptyJobForm, jobFormToDefinition, jobKindLabels, jobToForm, previewSchedule, quotaWarning, scheduleExamples, type JobForm, type JobFormErrors, type JobFormField } from './job-form';

/** Zones offered while typing; any IANA name the runtime knows is accepted. */
const timeZones: readonly string[] = Intl.supportedValuesOf('timeZone');

/** What each kind needs from a provider. */
function offers(provider: ProviderStatus, kind: ScheduledJobKind): boolean {
  return kind === 'poll' ? provider.supportsLatest : kind === 'news' ? provider.supportsNews : provider.timeframes.length > 0;
}

/**
 * Creates a job, or edits `job`. The form checks what it can with the contract's schema;
 * the core's refusal (an instrument the provider does not carry, a poll of a non-metal)
 * is shown beside the form as the core words it.
 */
export function JobEditor({
  job,
  jobs,
  providers,
  instruments,
  now,
  onSaved,
  onCancel,
}: {
  job: IngestJob | null;
  jobs: readonly IngestJob[];
  providers: readonly ProviderStatus[];
  instruments: readonly Instrument[];
  now: number;
  onSaved(job: IngestJob): void;
  onCancel(): void;
}) {
  const [form, setForm] = useState<JobForm>(() => (job ? jobToForm(job) : emptyJobForm));
  const [errors, setErrors] = useState<JobFormErrors>({});
  const { busy, error: coreError, run, clearError } = useApiAction();
  const prefix = useId();
  const id = (field: JobFormField) => `${prefix}-${field}`;
  const describedBy = (field: JobFormField) => ({ 'aria-invalid': errors[field] !== undefined, 'aria-describedby': `${id(field)}-error` });
  const change = (patch: Partial<JobForm>) => setForm((current) => ({ ...current, ...patch }));

  const withProvider = needsProvider(form.kind);
  const usable = providers.filter((p) => offers(p, form.kind));
  const provider = withProvider ? usable.find((p) => p.id === form.provider) : undefined;
  const carried = provider ? instruments.filter((i) => provider.id in i.providerSymbols).map((i) => i.symbol) : [];
  const preview = form.schedule.trim() === '' ? null : previewSchedule(form.schedule.trim(), form.timezone.trim(), now);
  const instrumentCount = form.symbols.split(/[\s,]+/).filter((symbol) => symbol !== '').length;
  const quota = provider && preview?.error === null ? quotaWarning(provider.id, form.schedule.trim(), form.timezone.trim(), instrumentCount, now) : null;
  const others = jobs.filter((other) => other.id !== job?.id);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { definition, errors: found } = jobFormToDefinition(form, Date.now());
    setErrors(found ?? {});
    if (!definition) {
      clearError();
      return;
    }
    await run(async () => onSaved(job ? await call('jobs.update', { id: job.id, ...definition }) : await call('jobs.create', definition)));
  };

  return (
    <form className="data-form" onSubmit={(event) => void submit(event)} aria-labelledby={`${prefix}-title`} data-testid="job-form" noValidate>
      <h3 id={`${prefix}-title`}>{job ? `Edit “${job.name}”` : 'New scheduled job'}</h3>
      <div className="data-form__fields">
        <FormField id={id('name')} label="Name" error={errors.name}>
          <input id={id('name')} type="text" value={form.name} data-testid="job-name" {...describedBy('name')} onChange={(e) => change({ name: e.target.value })} />
        </FormField>

        <FormField id={id('kind')} label="What it does" error={errors.kind}>
          <select
            id={id('kind')}
            value={form.kind}
            data-testid="job-kind"
            {...describedBy('kind')}
            onChange={(e) => change({ kind: e.target.value as ScheduledJobKind, provider: '', timeframe: '' })}
          >
            {scheduledJobKinds.map((kind) => (
              <option key={kind} value={kind}>
                {jobKindLabels[kind]}
              </option>
            ))}
          </select>
        </FormField>

        {withProvider && (
          <FormField id={id('provider')} label="Provider" error={errors.provider}>
            <select id={id('provider')} value={form.provider} data-testid="job-provider" {...describedBy('provider')} onChange={(e) => change({ provider: e.target.value, timeframe: '' })}>
              <option value="">Choose…</option>
              {usable.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </FormField>
        )}

        {form.kind === 'train' && (
          <FormField
            id={id('modelName')}
            label="Model name"
            error={errors.modelName}
            hint={<span className="data-form__hint muted">retrained from its active version’s parameters, as a shadow challenger</span>}
          >
            <input id={id('modelName')} type="text" value={form.modelName} placeholder="ridge-1d" data-testid="job-model-name" {...describedBy('modelName')} onChange={(e) => change({ modelName: e.target.value })} />
          </FormField>
        )}

        {!isWorkspaceJob(form.kind) && (
          <FormField
            id={id('symbols')}
            label="Instruments"
            error={errors.symbols}
            hint={
              <span className="data-form__hint muted" id={`${id('symbols')}-hint`}>
                {form.kind === 'predict'
                  ? 'every active and shadow model of each series forecasts'
                  : form.kind === 'train'
                    ? 'one new version per instrument'
                    : provider && `${form.kind === 'news' ? 'empty = all news; ' : ''}${provider.name} carries ${carried.join(', ')}`}
              </span>
            }
          >
            <input
              id={id('symbols')}
              type="text"
              value={form.symbols}
              placeholder="XAUUSD, XAGUSD"
              data-testid="job-symbols"
              aria-invalid={errors.symbols !== undefined}
              aria-describedby={`${id('symbols')}-hint ${id('symbols')}-error`}
              onChange={(e) => change({ symbols: e.target.value })}
            />
          </FormField>
        )}

        {(form.kind === 'backfill' || form.kind === 'predict') && (
          <FormField id={id('timeframe')} label="Timeframe" error={errors.timeframe}>
            <select id={id('timeframe')} value={form.timeframe} data-testid="job-timeframe" {...describedBy('timeframe')} onChange={(e) => change({ timeframe: e.target.value })}>
              <option value="">Choose…</option>
              {(form.kind === 'predict' ? timeframes : (provider?.timeframes ?? [])).map((tf) => (
                <option key={tf} value={tf}>
                  {tf}
                </option>
              ))}
            </select>
          </FormField>
        )}

        <FormField
          id={id('schedule')}
          label="Schedule (cron)"
          error={errors.schedule}
          hint={
            <span className="data-form__hint muted" id={`${id('schedule')}-hint`} data-testid="job-schedule-preview">
              {preview === null
                ? 'empty = only when run by hand'
                : preview.error === null
                  ? `next ${preview.runs.map(formatUtcDateTime).join(', ')}`
                  : `not a cron expression yet: ${preview.error}`}
            </span>
          }
        >
          <input
            id={id('schedule')}
            type="text"
            className="mono"
            value={form.schedule}
            data-testid="job-schedule"
            aria-invalid={errors.schedule !== undefined}
            aria-describedby={`${id('schedule')}-hint ${id('schedule')}-error`}
            onChange={(e) => change({ schedule: e.target.value })}
          />
          <div className="schedule-examples" role="group" aria-label="Schedule examples">
            {scheduleExamples.map((example) => (
              <button key={example.schedule} type="button" className="button button--small button--ghost" onClick={() => change({ schedule: example.schedule })}>
                {example.label}
              </button>
            ))}
          </div>
          {quota && (
            <p className="data-form__warning" role="status" data-testid="job-quota-warning">
              {quota}
            </p>
          )}
        </FormField>

        <FormField id={id('timezone')} label="Time zone" error={errors.timezone}>
          <input
            id={id('timezone')}
            type="text"
            list={`${prefix}-zones`}
            value={form.timezone}
            data-testid="job-timezone"
            {...describedBy('timezone')}
            onChange={(e) => change({ timezone: e.target.value })}
          />
          <datalist id={`${prefix}-zones`}>
            {timeZones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </FormField>

        {form.kind === 'predict' && (
          <>
            <FormField id={id('trackingWindow')} label="Scoring window" error={errors.trackingWindow} hint={<span className="data-form__hint muted">latest scored predictions per rolling score</span>}>
              <input id={id('trackingWindow')} type="number" min={5} value={form.trackingWindow} data-testid="job-tracking-window" {...describedBy('trackingWindow')} onChange={(e) => change({ trackingWindow: e.target.value })} />
            </FormField>
            <FormField id={id('onDrift')} label="On drift" error={errors.onDrift}>
              <select id={id('onDrift')} value={form.onDrift} data-testid="job-on-drift" {...describedBy('onDrift')} onChange={(e) => change({ onDrift: e.target.value as LiveTracking['onDrift'] })}>
                <option value="alert">raise an alert</option>
                <option value="retrain">raise an alert and retrain</option>
              </select>
            </FormField>
            <FormField id={id('retireAfter')} label="Flag for retirement after" error={errors.retireAfter} hint={<span className="data-form__hint muted">rolling scores in a row worse than naive</span>}>
              <input id={id('retireAfter')} type="number" min={1} value={form.retireAfter} data-testid="job-retire-after" {...describedBy('retireAfter')} onChange={(e) => change({ retireAfter: e.target.value })} />
            </FormField>
          </>
        )}

        {(form.kind === 'backfill' || form.kind === 'news') && (
          <FormField id={id('lookbackDays')} label="First run reaches back" error={errors.lookbackDays} hint={<span className="data-form__hint muted">days</span>}>
            <input id={id('lookbackDays')} type="number" min={1} value={form.lookbackDays} {...describedBy('lookbackDays')} onChange={(e) => change({ lookbackDays: e.target.value })} />
          </FormField>
        )}

        <FormField id={id('maxAttempts')} label="Attempts" error={errors.maxAttempts} hint={<span className="data-form__hint muted">transient errors only are retried</span>}>
          <input id={id('maxAttempts')} type="number" min={1} max={10} value={form.maxAttempts} {...describedBy('maxAttempts')} onChange={(e) => change({ maxAttempts: e.target.value })} />
        </FormField>

        <FormField id={id('backoffSeconds')} label="First retry after" error={errors.backoffSeconds} hint={<span className="data-form__hint muted">seconds, doubling</span>}>
          <input id={id('backoffSeconds')} type="number" min={1} value={form.backoffSeconds} {...describedBy('backoffSeconds')} onChange={(e) => change({ backoffSeconds: e.target.value })} />
        </FormField>

        <FormField id={id('timeoutMinutes')} label="Time limit" error={errors.timeoutMinutes} hint={<span className="data-form__hint muted">minutes per run</span>}>
          <input id={id('timeoutMinutes')} type="number" min={1} value={form.timeoutMinutes} {...describedBy('timeoutMinutes')} onChange={(e) => change({ timeoutMinutes: e.target.value })} />
        </FormField>

        {others.length > 0 && (
          <FormField id={id('dependsOn')} label="Runs after" error={errors.dependsOn}>
            <div className="choice-list" id={id('dependsOn')} role="group" aria-label="Runs after these jobs succeed">
              {others.map((other) => (
                <label key={other.id} className="choice">
                  <input
                    type="checkbox"
                    checked={form.dependsOn.includes(other.id)}
                    onChange={(e) => change({ dependsOn: e.target.checked ? [...form.dependsOn, other.id] : form.dependsOn.filter((d) => d !== other.id) })}
                  />
                  {other.name}
                </label>
              ))}
            </div>
          </FormField>
        )}
      </div>
      {coreError && (
        <p className="error-text form-alert" role="alert" data-testid="job-form-error">
          {coreError}
        </p>
      )}
      <div className="data-form__actions">
        <button type="submit" className="button button--primary" disabled={busy} data-testid="job-save">
          {busy ? 'Saving…' : job ? 'Save changes' : 'Create job'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

import { useId, useState } from 'react';
import type { EventPayload } from '../../../../shared/contract';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import { formatCount } from '../../ui/format/numbers';
import { formatUtcDate } from '../../ui/format/time';
import { describeJobFinished, describeJobProgress } from '../../ui/job-text';
import { QueryError } from '../../ui/load-error';
import { useSettings } from '../../ui/settings-context';
import { DataTable } from '../data/data-table';
import { ProgressBar } from '../data/progress-bar';
import { formatBytes } from './backup-view';

/** The age typed, as days `retention.estimate` accepts; null while it is not one. */
function daysOf(text: string): number | null {
  const days = Number(text);
  return Number.isInteger(days) && days >= 1 && days <= 36_500 ? days : null;
}

/**
 * Data retention: minute bars older than an age are rolled up into hourly bars and deleted. The
 * estimate follows the age typed, before it is saved, so the trader sees what a choice frees.
 */
export function RetentionSection() {
  const prefix = useId();
  const { settings, updateSettings } = useSettings();
  const saved = settings?.retention.minuteBarsDays ?? null;
  const [typed, setTyped] = useState<string | null>(null);
  const text = typed ?? (saved === null ? '' : String(saved));
  const days = daysOf(text);
  const estimate = useApiQuery('retention.estimate', days === null ? (saved === null ? null : {}) : { minuteBarsDays: days });
  const save = useApiAction();
  const apply = useApiAction();
  const [progress, setProgress] = useState<EventPayload<'job.progress'> | null>(null);
  const [applied, setApplied] = useState<EventPayload<'job.finished'> | null>(null);

  useApiEvent('job.progress', (event) => {
    if (event.kind === 'retention') setProgress(event);
  });
  useApiEvent('job.finished', (event) => {
    if (event.kind !== 'retention') return;
    setProgress(null);
    setApplied(event);
    estimate.reload();
  });

  const changed = text !== (saved === null ? '' : String(saved));
  const invalid = text !== '' && days === null;
  const submit = () => save.run(async () => {
    await updateSettings({ retention: { minuteBarsDays: days } });
    setTyped(null);
  });

  const answer = estimate.data;
  return (
    <section className="panel retention" aria-labelledby={`${prefix}-title`} data-testid="retention">
      <h2 id={`${prefix}-title`}>Data retention</h2>
      <p className="muted">
        One-minute bars older than the age below are rolled up into hourly bars (open, high, low, close and volume exactly) and then
        deleted. Empty keeps minute bars forever.
      </p>
      <div className="inline-form">
        <label htmlFor={`${prefix}-days`}>Keep minute bars for</label>
        <input
          id={`${prefix}-days`}
          type="number"
          min={1}
          className="retention__days"
          value={text}
          placeholder="forever"
          aria-invalid={invalid}
          data-testid="retention-days"
          onChange={(e) => setTyped(e.target.value)}
        />
        <span>days</span>
        <button type="button" className="button" disabled={!changed || invalid || save.busy} data-testid="retention-save" onClick={() => void submit()}>
          Save
        </button>
      </div>
      {invalid && <p className="field-error">A number of days from 1 to 36,500, or empty for forever.</p>}
      {save.error && <p className="error-text" role="alert">{save.error}</p>}
      <QueryError error={estimate.error} />
      {answer && (
        <div data-testid="retention-estimate">
          {answer.instruments.length === 0 ? (
            <p className="muted">No minute bars are old enough: nothing would be rolled up.</p>
          ) : (
            <>
              <p>
                Frees about <strong data-testid="retention-bytes">{formatBytes(answer.bytesFreed)}</strong>
                {answer.before !== null && <> by rolling up the minute bars before {formatUtcDate(answer.before)}</>}:
              </p>
              <DataTable
                caption="What retention would roll up, per instrument"
                columns={[{ label: 'Instrument', text: true }, { label: 'Minute bars deleted' }, { label: 'Hourly bars kept' }, { label: 'Space freed' }]}
              >
                {answer.instruments.map((instrument) => (
                  <tr key={instrument.symbol} data-testid={`retention-${instrument.symbol}`}>
                    <th scope="row" className="data-table__text mono">
                      {instrument.symbol}
                    </th>
                    <td>{formatCount(instrument.minuteBars)}</td>
                    <td>{formatCount(instrument.hourBars)}</td>
                    <td>{formatBytes(instrument.bytesFreed)}</td>
                  </tr>
                ))}
              </DataTable>
            </>
          )}
        </div>
      )}
      <div className="data-form__actions">
        <button
          type="button"
          className="button"
          disabled={saved === null || changed || apply.busy || progress !== null}
          title={saved === null ? 'Save an age first' : changed ? 'Save the age first' : undefined}
          data-testid="retention-apply"
          onClick={() => void apply.run(() => call('retention.apply', { wait: false }))}
        >
          Apply now
        </button>
      </div>
      {progress && (
        <div role="status" data-testid="retention-progress">
          <ProgressBar fraction={progress.total ? progress.done / progress.total : 0} label="Retention progress" state="running" />
          <span>{describeJobProgress(progress)}</span>
        </div>
      )}
      {apply.error && <p className="error-text" role="alert">{apply.error}</p>}
      {!progress && applied && (
        <p className={applied.status === 'succeeded' ? 'test-ok' : 'error-text'} role="status" data-testid="retention-outcome">
          {describeJobFinished(applied)}
        </p>
      )}
    </section>
  );
}

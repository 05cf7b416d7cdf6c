import { useId, useState } from 'react';
import type { EventPayload } from '../../../../shared/contract';
import { call } from '../../api/client';
import { useApiEvent } from '../../api/hooks';
import { useApiAction } from '../../api/use-api-action';
import { ProgressBar } from '../data/progress-bar';
import { describeBackupProgress, passphraseProblem } from './backup-view';

type Progress = EventPayload<'backup.progress'>;
type Finished = EventPayload<'job.finished'>;

/**
 * "Back up now", with an optional passphrase. Follows every backup run, the ones a schedule
 * starts included, so the bar shows whatever backup is being written.
 */
export function BackUpNow({ previousSize, onFinished }: { previousSize: number | null; onFinished(): void }) {
  const prefix = useId();
  const [withPassphrase, setWithPassphrase] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [repeated, setRepeated] = useState('');
  const [running, setRunning] = useState<Progress | null>(null);
  const [outcome, setOutcome] = useState<Finished | null>(null);
  const start = useApiAction();
  const problem = withPassphrase ? passphraseProblem(passphrase, repeated) : null;
  const missing = withPassphrase && passphrase === '';

  useApiEvent('backup.progress', (progress) => setRunning(progress));
  useApiEvent('job.finished', (finished) => {
    if (finished.kind !== 'backup') return;
    setRunning((current) => (current === null || current.runId === finished.runId ? null : current));
    setOutcome(finished);
    onFinished();
  });

  const backUp = () =>
    start.run(async () => {
      setOutcome(null);
      const started = await call('backups.create', withPassphrase ? { passphrase, wait: false } : { wait: false });
      setRunning({ runId: started.runId, jobId: started.jobId, kind: 'backup', done: 0, total: 100, unit: '%', rate: null, etaMs: null });
      setPassphrase('');
      setRepeated('');
      onFinished();
    });

  return (
    <div className="panel backup-now" data-testid="backup-now">
      <h2>Back up now</h2>
      <p className="muted">
        One archive of every price, job, setting and model, checked against the database right after it is written. Only a backup that
        passes the check is listed as good.
      </p>
      <label className="choice">
        <input type="checkbox" checked={withPassphrase} data-testid="backup-with-passphrase" onChange={(e) => setWithPassphrase(e.target.checked)} />
        Include saved keys and passwords, sealed with a passphrase
      </label>
      {withPassphrase ? (
        <div className="form-grid">
          <label htmlFor={`${prefix}-passphrase`}>Passphrase</label>
          <input
            id={`${prefix}-passphrase`}
            type="password"
            autoComplete="new-password"
            value={passphrase}
            data-testid="backup-passphrase"
            onChange={(e) => setPassphrase(e.target.value)}
          />
          <label htmlFor={`${prefix}-repeat`}>Repeat it</label>
          <input
            id={`${prefix}-repeat`}
            type="password"
            autoComplete="new-password"
            value={repeated}
            data-testid="backup-passphrase-repeat"
            onChange={(e) => setRepeated(e.target.value)}
          />
        </div>
      ) : null}
      <p className={withPassphrase ? 'data-form__warning' : 'muted'} data-testid="backup-passphrase-note">
        {withPassphrase
          ? 'Nobody can recover this passphrase: without it the keys in this backup are lost, though its prices, jobs and settings still restore.'
          : 'Without a passphrase the backup holds no API key or database password; you enter them again after a restore.'}
      </p>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <div className="data-form__actions">
        <button
          type="button"
          className="button button--primary"
          disabled={start.busy || running !== null || problem !== null || missing}
          data-testid="backup-start"
          onClick={() => void backUp()}
        >
          {running ? 'Backing up…' : 'Back up now'}
        </button>
      </div>
      {running && (
        <div className="backup-progress" role="status" data-testid="backup-progress">
          <ProgressBar fraction={running.total ? running.done / running.total : 0} label="Backup progress" state="running" />
          <span data-testid="backup-progress-text">{describeBackupProgress(running, previousSize)}</span>
        </div>
      )}
      {start.error && (
        <p className="error-text" role="alert" data-testid="backup-error">
          {start.error}
        </p>
      )}
      {!running && outcome && (
        <p className={outcome.status === 'succeeded' ? 'test-ok' : 'error-text'} role="status" data-testid="backup-outcome">
          {outcome.status === 'succeeded'
            ? 'Backup written and verified; it is at the top of the list.'
            : outcome.status === 'cancelled'
              ? 'The backup was cancelled; nothing was listed.'
              : `The backup failed: ${outcome.error ?? 'no reason given'}`}
        </p>
      )}
    </div>
  );
}

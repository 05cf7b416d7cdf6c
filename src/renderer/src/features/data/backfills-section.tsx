import { useEffect, useState } from 'react';
import type { Instrument } from '../../../../shared/domain';
import { call } from '../../api/client';
import { useApiAction } from '../../api/use-api-action';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import { formatCount } from '../../ui/format/numbers';
import { formatUtcDate } from '../../ui/format/time';
import { QueryError } from '../../ui/load-error';
import { BackfillStartForm, type ProviderChoice } from './backfill-form';
import { backfillFraction, canResume, describeBackfillPlan, describeBackfillRate, resumeBackfillInput, type BackfillCheckpointRow, type BackfillState, type JobProgress } from './backfill-model';
import { formatSince } from './data-format';
import { ProgressBar } from './progress-bar';
import { DataTable } from './data-table';

const RUNNING_REFRESH_MS = 2_000;

const stateLabels: Record<BackfillState, string> = {
  running: 'Running',
  interrupted: 'Interrupted',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Running first, then the most recently touched. */
function byActivity(a: BackfillCheckpointRow, b: BackfillCheckpointRow): number {
  return Number(b.status === 'running') - Number(a.status === 'running') || b.updatedAt - a.updatedAt;
}

function BackfillRow({
  checkpoint,
  live,
  providerName,
  now,
  onChanged,
}: {
  checkpoint: BackfillCheckpointRow;
  live: JobProgress | undefined;
  providerName: string;
  now: number;
  onChanged(): void;
}) {
  const { busy, error, run } = useApiAction();
  const act = (action: () => Promise<unknown>) =>
    run(async () => {
      await action();
      onChanged();
    });
  const state = checkpoint.status;
  const running = state === 'running';
  const fraction = backfillFraction(checkpoint, running ? live : undefined);
  const rate = running && live ? describeBackfillRate(live) : '';
  const title = `${checkpoint.symbol} ${checkpoint.timeframe}`;
  const runError =
    state === 'interrupted' ? 'Metalytics stopped while this ran; resume to continue from the last saved page.' : state === 'failed' ? checkpoint.lastRun?.error : null;
  const plan = describeBackfillPlan(checkpoint);
  return (
    <tr data-testid={`backfill-${checkpoint.id}`} data-status={state}>
      <th scope="row">
        <span className="mono">{checkpoint.symbol}</span> {checkpoint.timeframe}
      </th>
      <td className="data-table__text">{providerName}</td>
      <td className="data-table__text">
        {formatUtcDate(checkpoint.rangeFrom)} → {formatUtcDate(checkpoint.rangeTo)}
      </td>
      <td className="data-table__progress">
        <ProgressBar
          fraction={fraction}
          label={`${title} backfill progress`}
          state={running ? 'running' : state === 'done' ? 'done' : 'stopped'}
          testId={`backfill-progress-${checkpoint.id}`}
        />
        <span className="data-table__percent">{Math.floor(fraction * 100)}%</span>
      </td>
      <td>{formatCount(checkpoint.rowsWritten)}</td>
      <td className="data-table__text" data-testid={`backfill-status-${checkpoint.id}`}>
        <span className={`run-status run-status--${state}`}>{stateLabels[state]}</span>
        {rate && <span className="muted"> · {rate}</span>}
        {!running && <span className="muted"> · {formatSince(checkpoint.updatedAt, now)}</span>}
        {plan && (
          <div className="muted" data-testid={`backfill-plan-${checkpoint.id}`}>
            {plan}
          </div>
        )}
        {runError && <div className="error-text">{runError}</div>}
        {error && (
          <div className="error-text" role="alert">
            {error}
          </div>
        )}
      </td>
      <td className="data-table__actions">
        {running && checkpoint.jobRunId && (
          <button
            type="button"
            className="button button--small"
            disabled={busy}
            aria-label={`Cancel the ${title} backfill`}
            data-testid={`backfill-cancel-${checkpoint.id}`}
            onClick={() => void act(() => call('jobs.cancel', { runId: checkpoint.jobRunId! }))}
          >
            Cancel
          </button>
        )}
        {canResume(checkpoint) && (
          <button
            type="button"
            className="button button--small"
            disabled={busy}
            aria-label={`Resume the ${title} backfill`}
            data-testid={`backfill-resume-${checkpoint.id}`}
            onClick={() => void act(() => call('backfill.start', resumeBackfillInput(checkpoint)))}
          >
            Resume
          </button>
        )}
      </td>
    </tr>
  );
}

export function BackfillsSection({ providers, instruments, now }: { providers: readonly ProviderChoice[]; instruments: readonly Instrument[]; now: number }) {
  const list = useApiQuery('backfill.list', {});
  const [live, setLive] = useState<ReadonlyMap<string, JobProgress>>(new Map());
  const checkpoints = list.data?.checkpoints ?? [];
  const running = checkpoints.some((checkpoint) => checkpoint.status === 'running');
  // Progress events carry counts only; the bars saved come from the checkpoints, re-read while one runs.
  const { reload } = list;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reload, RUNNING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [running, reload]);

  useApiEvent('job.progress', (progress) => {
    if (progress.kind !== 'backfill') return;
    setLive((current) => new Map(current).set(progress.runId, progress));
    // A backfill started elsewhere (the CLI, a scheduled job, another window) shows up at once.
    if (list.data && !list.loading && !checkpoints.some((c) => c.jobRunId === progress.runId)) list.reload();
  });
  useApiEvent('job.finished', (finished) => {
    if (finished.kind !== 'backfill') return;
    setLive((current) => {
      const next = new Map(current);
      next.delete(finished.runId);
      return next;
    });
    list.reload();
  });

  const providerName = (id: string) => providers.find((p) => p.id === id)?.name ?? id;
  const sorted = [...checkpoints].sort(byActivity);

  return (
    <div className="data-section" data-testid="backfills">
      <p className="muted">
        Each backfill fetches a range in provider-sized pages and saves its place with every page, so a cancelled, failed or interrupted
        backfill resumes where it stopped. Running the same range again adds no duplicate bars.
      </p>
      <QueryError error={list.error} />
      {list.data &&
        (sorted.length === 0 ? (
          <p className="muted" data-testid="backfills-empty">
            No backfills yet. Start one below, or from the command line with <code>metalytics backfill</code>.
          </p>
        ) : (
          <DataTable
            caption="Backfills"
            wide
            columns={[
              { label: 'Series', text: true },
              { label: 'Provider', text: true },
              { label: 'Range', text: true },
              { label: 'Progress' },
              { label: 'Bars saved' },
              { label: 'Status', text: true },
              { label: 'Actions', unlabelled: true },
            ]}
          >
            {sorted.map((checkpoint) => (
              <BackfillRow
                key={checkpoint.id}
                checkpoint={checkpoint}
                live={checkpoint.jobRunId ? live.get(checkpoint.jobRunId) : undefined}
                providerName={providerName(checkpoint.provider)}
                now={now}
                onChanged={list.reload}
              />
            ))}
          </DataTable>
        ))}
      <BackfillStartForm providers={providers} instruments={instruments} onStarted={list.reload} />
    </div>
  );
}

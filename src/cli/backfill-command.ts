import type { Core } from '../core/create-core';
import { describePlanStart } from '../shared/backfill';
import type { EventPayload, MethodOutput } from '../shared/contract';
import type { ProviderId } from '../shared/domain';
import type { Timeframe } from '../shared/timeframes';
import { exitCodeFor, exitCodes } from './exit-codes';
import { formatCount, formatFields, formatPlural, formatTime, reportFailure, type CliOutput } from './format';
import { invokeMethod } from './invoke-method';
import { watchJobProgress } from './job-watch';

export interface BackfillCommandOptions {
  provider: ProviderId;
  symbol: string;
  timeframe: Timeframe;
  from: number;
  to?: number;
  json?: boolean;
}

type Checkpoint = MethodOutput<'backfill.list'>['checkpoints'][number];

function formatBackfillSummary(checkpoint: Checkpoint): string {
  const run = checkpoint.lastRun;
  const { symbol, timeframe, provider } = checkpoint;
  const headline =
    checkpoint.status === 'done'
      ? `Backfilled ${symbol} ${timeframe} from ${provider}`
      : `Backfill of ${symbol} ${timeframe} from ${provider} ${checkpoint.status}; run the same command again to resume`;
  const fields: [string, string][] = [
    ['range', `${formatTime(checkpoint.rangeFrom, timeframe)} … ${formatTime(checkpoint.rangeTo, timeframe)} UTC (end exclusive)`],
    ['covered', `${Math.floor(checkpoint.progress * 100)}%, up to ${formatTime(checkpoint.resumeFrom, timeframe)} UTC`],
  ];
  if (run) {
    if (run.startedFrom > checkpoint.rangeFrom) {
      // A plan limit is the key's, learned or stated; only a limit the provider documents for every plan is "keeps no older".
      const why = run.resumed ? 'resumed from the checkpoint' : run.plan ? `your plan starts at ${formatTime(run.plan.historyStart, '1d')}` : `${provider} keeps no older ${timeframe} bars`;
      fields.push(['started at', `${formatTime(run.startedFrom, timeframe)} UTC (${why})`]);
    }
    if (run.plan) fields.push(['plan', describePlanStart(run.plan)]);
    fields.push(
      ['requests', `${formatPlural(run.pages, 'page')} in ${formatPlural(run.chunks, 'chunk')}`],
      ['bars received', formatCount(run.received)],
      ['inserted', formatCount(run.inserted)],
      ['updated', formatCount(run.updated)],
      ['unchanged', formatCount(run.unchanged)],
      ['rejected', formatCount(run.rejected)],
    );
  }
  fields.push(['checkpoint', checkpoint.id]);
  const rejections = run && run.rejections.length > 0 ? `Rejected bars (first ${run.rejections.length}):\n${run.rejections.map((r) => `  ${r}\n`).join('')}` : '';
  return `${headline}\n${formatFields(fields)}${rejections}`;
}

/** Runs `metalytics backfill`; returns the exit code. */
export async function runBackfill(core: Core, options: BackfillCommandOptions, output: CliOutput): Promise<number> {
  const progress = watchJobProgress(core, output, {
    kind: 'backfill',
    label: `Backfilling ${options.symbol.toUpperCase()} ${options.timeframe}`,
    noun: 'the backfill',
  });
  // Endings are recorded from the start: a fast failure may end the job before its id is known here.
  const endings = new Map<string, EventPayload<'job.finished'>>();
  let waiting: { runId: string; resolve: (ending: EventPayload<'job.finished'>) => void } | undefined;
  const unsubscribe = core.events.subscribe((message) => {
    if (message.name === 'job.finished' && message.payload.kind === 'backfill') {
      endings.set(message.payload.runId, message.payload);
      if (waiting?.runId === message.payload.runId) waiting.resolve(message.payload);
    }
  });
  try {
    const started = await invokeMethod(core, 'backfill.start', {
      provider: options.provider,
      symbol: options.symbol,
      timeframe: options.timeframe,
      from: options.from,
      ...(options.to === undefined ? {} : { to: options.to }),
    });
    if (!started.ok) return reportFailure(output, started.error, options.json);
    const { checkpointId, runId } = started.value;
    progress.follow(runId);
    const ending = endings.get(runId) ?? (await new Promise<EventPayload<'job.finished'>>((resolve) => (waiting = { runId, resolve })));
    progress.finish();

    const listed = await invokeMethod(core, 'backfill.list', {});
    if (!listed.ok) return reportFailure(output, listed.error, options.json);
    const checkpoint = listed.value.checkpoints.find((c) => c.id === checkpointId);
    if (!checkpoint) {
      output.err(`The backfill's checkpoint ${checkpointId} is missing.\n`);
      return exitCodes.failure;
    }
    output.out(options.json ? `${JSON.stringify(checkpoint, null, 2)}\n` : formatBackfillSummary(checkpoint));
    if (ending.status === 'succeeded') return exitCodes.ok;
    if (!options.json && ending.error) output.err(`${ending.error}\n`);
    return exitCodeFor(checkpoint.lastRun?.errorCode ?? 'INTERNAL');
  } finally {
    unsubscribe();
    progress.dispose();
  }
}

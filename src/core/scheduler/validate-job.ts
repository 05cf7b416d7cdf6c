import type { Instrument } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { isWorkspaceJob } from '../../shared/scheduler';
import { providerNames } from '../providers/provider-errors';
import type { ProviderAdapter } from '../providers/types';
import type { StoredIngestJob } from '../storage/types';
import { checkTimezone, CronSchedule } from './cron';

export type JobDefinition = Omit<StoredIngestJob, 'id' | 'enabled' | 'createdAt' | 'updatedAt'>;

const preciousMetalRoots = ['XAU', 'XAG', 'XPT', 'XPD'] as const;
const preciousMetalFutures = new Set(['GC=F', 'SI=F', 'PL=F', 'PA=F']);

/** Spot or futures of gold, silver, platinum or palladium: what `precious_metals_prices` holds. */
function isPreciousMetal(instrument: Instrument): boolean {
  if (instrument.kind === 'spot') return preciousMetalRoots.some((root) => instrument.symbol.startsWith(root));
  return instrument.kind === 'future' && preciousMetalFutures.has(instrument.symbol);
}

/**
 * Everything about a job definition that can be checked without running it, each refusal a
 * sentence a trader can act on. `adapter` is the provider's, null for kinds that need none.
 * Dependencies are checked by the scheduler, which knows the other jobs.
 */
export function checkJobDefinition(definition: JobDefinition, adapter: ProviderAdapter | null, instruments: ReadonlyMap<string, Instrument>): void {
  checkTimezone(definition.timezone);
  if (definition.schedule !== null) new CronSchedule(definition.schedule, definition.timezone);
  if (isWorkspaceJob(definition.kind)) {
    checkWorkspaceJob(definition);
    return;
  }

  if (isWorkspaceJob(definition.kind)) {
    if (definition.symbols.length > 0) throw new AppError('VALIDATION', `A ${definition.kind} job rolls up old minute bars of every instrument and takes no symbols.`);
    if (definition.timeframe !== null) throw new AppError('VALIDATION', `A ${definition.kind} job rolls up old minute bars of every instrument and takes no timeframe.`);
  } else if (definition.kind !== 'news' && definition.symbols.length === 0) {
    throw new AppError('VALIDATION', `A ${definition.kind} job needs at least one symbol.`);
  }
  if (definition.kind !== 'train' && definition.modelName !== null) {
    throw new AppError('VALIDATION', `Only a train job takes a model name; a ${definition.kind} job leaves it empty.`);
  }
  const chosen = definition.symbols.map((symbol) => {
    const instrument = instruments.get(symbol);
    if (!instrument) throw new AppError('VALIDATION', `There is no instrument ${symbol}; pick one from the Markets list.`);
    return instrument;
  });
  if (definition.kind === 'predict' || definition.kind === 'train') {
    checkModelJob(definition);
    return;
  }
  if (isWorkspaceJob(definition.kind)) return;
  if (definition.provider === null || adapter === null) throw new AppError('VALIDATION', `A ${definition.kind} job needs a provider.`);
  const provider = providerNames[definition.provider];
  for (const instrument of chosen) {
    if (!instrument.providerSymbols[definition.provider]) {
      throw new AppError('VALIDATION', `${provider} does not carry ${instrument.name} (${instrument.symbol}).`);
    }
  }

  switch (definition.kind) {
    case 'backfill': {
      const served = adapter.capabilities.timeframes;
      if (definition.timeframe === null) {
        throw new AppError('VALIDATION', `A backfill job needs a timeframe; ${provider} serves ${served.join(', ')}.`);
      }
      if (!served.includes(definition.timeframe)) {
        throw new AppError('VALIDATION', `${provider} has no ${definition.timeframe} bars; choose one of ${served.join(', ')}.`);
      }
      return;
    }
    case 'poll': {
      if (definition.timeframe !== null) throw new AppError('VALIDATION', 'A poll job records spot prices and takes no timeframe.');
      if (!adapter.fetchLatest) {
        throw new AppError('VALIDATION', `${provider} offers no latest price to poll; use a backfill job to keep its bars current.`);
      }
      const others = chosen.filter((instrument) => !isPreciousMetal(instrument));
      if (others.length > 0) {
        throw new AppError(
          'VALIDATION',
          `Polling records precious-metal spot prices only; ${others.map((i) => i.symbol).join(', ')} ${others.length === 1 ? 'is' : 'are'} not gold, silver, platinum or palladium. Use a backfill job to keep ${others.length === 1 ? 'its' : 'their'} bars current.`,
        );
      }
      return;
    }
    case 'news': {
      if (definition.timeframe !== null) throw new AppError('VALIDATION', 'A news job takes no timeframe.');
      if (!adapter.fetchNews) {
        throw new AppError('VALIDATION', `${provider} offers no news; news comes from ${providerNames.polygon}.`);
      }
      return;
    }
  }
}

/** `predict` and `train` work on stored bars and the model registry; they call no provider. */
function checkModelJob(definition: JobDefinition): void {
  if (definition.kind === 'predict') {
    if (definition.timeframe === null) throw new AppError('VALIDATION', 'A predict job needs the timeframe of the series whose models it runs.');
    return;
  }
  if (definition.modelName === null) throw new AppError('VALIDATION', 'A train job needs the name of the model it retrains.');
  if (definition.timeframe !== null) throw new AppError('VALIDATION', "A train job takes its timeframe from the model's active version; leave the timeframe empty.");
}

/** `backup` and `drill` work on the whole workspace: no symbols, timeframe or model. */
function checkWorkspaceJob(definition: JobDefinition): void {
  const what = definition.kind === 'backup' ? 'backs up the whole workspace' : 'restores the latest verified backup';
  if (definition.symbols.length > 0) throw new AppError('VALIDATION', `A ${definition.kind} job ${what} and takes no symbols.`);
  if (definition.timeframe !== null) throw new AppError('VALIDATION', `A ${definition.kind} job ${what} and takes no timeframe.`);
  if (definition.modelName !== null) throw new AppError('VALIDATION', `Only a train job takes a model name; a ${definition.kind} job leaves it empty.`);
}

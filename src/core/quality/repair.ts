import { runIds, type Bar, type Instrument, type ProviderId } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import type { QualityGap, QualityRepairResult } from '../../shared/quality';
import { bucketStart, nominalTimeframeMs, type Timeframe } from '../../shared/timeframes';
import { validateBar } from '../bars/validate-bar';
import type { EventBus } from '../events';
import { failureReason, providerNames } from '../providers/provider-errors';
import type { ProviderRegistry } from '../providers/registry';
import type { JobContext, JobRunner } from '../jobs/job-runner';
import type { ProviderTurns } from '../jobs/provider-turns';
import type { Logger } from '../ports';
import type { ProviderAdapter } from '../providers/types';
import type { Storage } from '../storage/types';
import { findGaps, nextBucket } from './gaps';
import type { MarketCalendar } from './market-calendar';
import { PlanDepths } from '../providers/plan-depth';
import { historyStart, mergeGapWindows, orderRepairProviders, selectRepairTargets, type RepairWindow, type Span } from './repair-plan';
import { findStoredGaps } from './stored-gaps';

/** Invalid bars named in a gap's notes; the count covers all of them. */
const NOTED_REJECTIONS_PER_GAP = 3;

export interface RepairDeps {
  storage: Storage;
  providers: ProviderRegistry;
  jobs: JobRunner;
  events: EventBus;
  /** A repair's requests to a provider wait for that provider's backfills and scheduled jobs, as theirs wait for it. */
  turns: ProviderTurns;
  logger: Logger;
  now: () => number;
}

export interface RepairRequest {
  instrument: Instrument;
  timeframe: Timeframe;
  from?: number;
  to?: number;
  /** Only these gaps; absent = every gap in the range. */
  gaps?: readonly { from: number; to: number }[];
  /** Providers to try, in order; absent = those that carry the instrument, the series' own source first. */
  providers?: readonly ProviderId[];
}

/** One gap being repaired: the report's gap, what is still open of it, and what happened. */
interface Target extends QualityGap {
  /** Bar open times still missing, as runs of the report's timeframe. */
  open: OpenSpan[];
  /** Missing buckets among `open`. */
  openMissing: number;
  filled: number;
  filledBy: Map<ProviderId, number>;
  /** Invalid bars providers sent for this gap. */
  rejections: number;
  notes: string[];
}

interface OpenSpan extends Span {
  target: Target;
}

const isoMinute = (time: number) => `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * Re-fetches the gaps quality.report finds and writes the bars that fill them, as a job
 * (progress, cancellation, a job_runs row). Each provider in turn gets what is still open,
 * in as few requests as carry it; bars pass the shared validation, only bars inside a gap
 * are written and never over a stored bar, each with its provider as source. Bars are
 * fetched and written in the timeframe the series is stored in, the one the report reads.
 */
export async function repairGaps(deps: RepairDeps, request: RepairRequest): Promise<QualityRepairResult> {
  const { instrument, timeframe } = request;
  const range = request.from === undefined && request.to === undefined ? '' : ` ${describeRange(request.from, request.to)}`;
  const { value } = await deps.jobs.run('repair', `Repair gaps in ${instrument.symbol} ${timeframe}${range}`, 'gaps', (ctx) => new Repair(deps, request, ctx).run());
  return value;
}

class Repair {
  private rejected = 0;
  private filled = 0;
  private targets: Target[] = [];
  private readonly plans: PlanDepths;

  constructor(
    private readonly deps: RepairDeps,
    private readonly request: RepairRequest,
    private readonly ctx: JobContext,
  ) {
    this.plans = new PlanDepths({ ...deps, plan: (provider) => deps.providers.plan(provider) });
  }

  async run(): Promise<{ value: QualityRepairResult; rows: number }> {
    const { storage } = this.deps;
    const { instrument, timeframe } = this.request;
    const scan = await findStoredGaps(storage, instrument, this.request);
    const base = scan.sourceTimeframe;
    this.targets = selectRepairTargets(scan.gaps, this.request.gaps, timeframe, scan.calendar).map((gap) => {
      const target: Target = { ...gap, open: [], openMissing: gap.missing, filled: 0, filledBy: new Map(), rejections: 0, notes: [] };
      if (gap.missing === 0) target.notes.push('Nothing is missing here any more.');
      else target.open.push({ start: gap.from, end: nextBucket(gap.to, timeframe), target });
      return target;
    });
    // The first event carries the job id, so a caller can offer Cancel before the first request returns.
    this.reportProgress();

    if (base !== null && this.openTargets().length > 0) {
      for (const provider of await this.providerOrder(base)) {
        if (this.openTargets().length === 0) break;
        await this.tryProvider(provider, base, scan.calendar);
      }
    }
    this.ctx.progress(this.targets.length, this.targets.length);
    return {
      value: {
        ...runIds(this.ctx.runId),
        symbol: instrument.symbol,
        timeframe,
        storedTimeframe: base,
        gaps: this.targets.map((t) => ({
          from: t.from,
          to: t.to,
          missing: t.missing,
          filled: t.filled,
          filledBy: [...t.filledBy].map(([provider, bars]) => ({ provider, bars })),
          notes: t.notes,
        })),
        filled: this.filled,
        rejected: this.rejected,
        remaining: this.openTargets().length,
      },
      rows: this.filled,
    };
  }

  /**
   * The caller's providers as given; by default those that carry the instrument and serve
   * the stored timeframe, the ones that stored most of this series first. When none can,
   * every open gap says so.
   */
  private async providerOrder(base: Timeframe): Promise<ProviderId[]> {
    const { instrument } = this.request;
    const carries = (provider: ProviderId) => instrument.providerSymbols[provider] !== undefined;
    if (this.request.providers) {
      const order = [...new Set(this.request.providers)];
      for (const provider of order.filter((p) => !carries(p))) {
        this.noteOpen(`${providerNames[provider]} does not carry ${instrument.name} (${instrument.symbol}).`);
      }
      return order.filter(carries);
    }
    const coverage = (await this.deps.storage.marketData.coverage(instrument.symbol)).filter((c) => c.timeframe === base);
    const carried = orderRepairProviders(coverage).filter(carries);
    const serving: ProviderId[] = [];
    for (const provider of carried) {
      // A provider that cannot be built stays in line: trying it notes why it cannot be used.
      const adapter = await this.deps.providers.adapter(provider).catch(() => undefined);
      if (!adapter || adapter.capabilities.timeframes.includes(base)) serving.push(provider);
    }
    const name = `${instrument.name} (${instrument.symbol})`;
    if (carried.length === 0) this.noteOpen(`No provider carries ${name}; only an import can fill this gap.`);
    else if (serving.length === 0) this.noteOpen(`No provider that carries ${name} has ${base} bars, the timeframe this series is stored in.`);
    return serving;
  }

  private async tryProvider(provider: ProviderId, base: Timeframe, calendar: MarketCalendar): Promise<void> {
    const name = providerNames[provider];
    let adapter: ProviderAdapter;
    try {
      adapter = await this.deps.providers.adapter(provider);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.noteOpen(`${name} cannot be used: ${error.message}`);
      return;
    }
    const { capabilities } = adapter;
    if (!capabilities.timeframes.includes(base)) {
      this.noteOpen(`${name} has no ${base} bars, the timeframe this series is stored in.`);
      return;
    }

    // Where the key's plan starts, as Settings state it or a backfill learned it; a repair does not probe for it.
    const planStart = (await this.plans.known(provider, base))?.historyStart;
    if (this.askableSpans(adapter, base, planStart).length === 0) return;
    let endTurn: () => void;
    try {
      endTurn = await this.deps.turns.take(provider, this.ctx.signal);
    } catch (error) {
      if (this.ctx.signal.aborted) throw this.cancelled();
      throw error;
    }
    try {
      // Whatever ran before this turn may have filled some of the gaps meanwhile.
      for (const target of this.openTargets()) await this.rescan(target, calendar);
      const spans = this.askableSpans(adapter, base, planStart);
      if (spans.length > 0) await this.fetchSpans(adapter, base, spans, calendar);
    } finally {
      endTurn();
    }
  }

  /** The open spans within the provider's history depth and the key's plan; what lies beyond is noted on its gap. */
  private askableSpans(adapter: ProviderAdapter, base: Timeframe, planStart: number | undefined): OpenSpan[] {
    const { capabilities } = adapter;
    const documented = historyStart(capabilities, base, this.deps.now());
    const earliest = Math.max(documented, planStart ?? Number.NEGATIVE_INFINITY);
    const depth =
      earliest === documented
        ? `${providerNames[adapter.id]} keeps ${base} bars for the last ${capabilities.historyDepthDays[base]} days only`
        : `Your ${providerNames[adapter.id]} plan starts ${base} history at ${isoMinute(earliest)}`;
    const spans: OpenSpan[] = [];
    for (const span of this.openTargets().flatMap((t) => t.open)) {
      if (span.end <= earliest) {
        note(span.target, `${depth}; ${describeRange(span.start, span.end - 1)} is older.`);
      } else {
        if (span.start < earliest) note(span.target, `${depth}; the part before ${isoMinute(earliest)} is older.`);
        spans.push({ ...span, start: Math.max(span.start, earliest) });
      }
    }
    return spans;
  }

  /** Fills `spans` from one provider, then notes for each gap what it had and had not. */
  private async fetchSpans(adapter: ProviderAdapter, base: Timeframe, spans: OpenSpan[], calendar: MarketCalendar): Promise<void> {
    const { capabilities } = adapter;
    const name = providerNames[adapter.id];
    const touched = new Set(spans.map((s) => s.target));
    const before = new Map([...touched].map((t) => [t, { missing: t.openMissing, rejections: t.rejections }]));
    const failed = new Set<Target>();
    const windows = mergeGapWindows(spans, capabilities.maxBarsPerRequest * nominalTimeframeMs(base));
    for (const [index, window] of windows.entries()) {
      this.ctx.throwIfCancelled();
      try {
        await this.fillWindow(adapter, base, window);
      } catch (error) {
        if (this.ctx.signal.aborted) throw this.cancelled();
        // Only the provider's failures are a note; a database failure ends the job.
        if (failureReason(error) === undefined) throw error;
        const message = (error as AppError).message;
        this.deps.logger.info('repair: provider failed; trying the next one for what is left', { provider: adapter.id, error: message });
        for (const later of windows.slice(index)) {
          for (const target of new Set(later.spans.map((s) => s.target))) {
            failed.add(target);
            note(target, later === window ? `${name}: ${message}` : `${name} was not asked again after it failed: ${message}`);
          }
        }
        break;
      }
    }

    for (const target of touched) {
      await this.rescan(target, calendar);
      const { missing, rejections } = before.get(target)!;
      // A failure or an invalid bar has its own note already.
      if (failed.has(target) || target.rejections > rejections || target.openMissing === 0) continue;
      note(
        target,
        target.openMissing === missing
          ? `${name} had no bars in this gap (the market may really have been shut).`
          : `${name} had no bars for ${target.openMissing} of the ${missing} missing ${this.request.timeframe} bars.`,
      );
    }
    this.reportProgress();
  }

  /** One window's pages: validated, kept only inside its spans and where nothing is stored, written with their source. */
  private async fillWindow(adapter: ProviderAdapter, base: Timeframe, window: RepairWindow<OpenSpan>): Promise<void> {
    const { storage, events } = this.deps;
    const { instrument } = this.request;
    const symbol = instrument.symbol;
    let previous = Number.NEGATIVE_INFINITY;
    for await (const page of adapter.fetchBars({ instrument, timeframe: base, from: window.start, to: window.end, signal: this.ctx.signal })) {
      const candidates: { bar: Bar; span: OpenSpan }[] = [];
      for (const bar of page.bars) {
        const reason = validateBar(bar, previous);
        if (reason === null) previous = bar.time;
        const span = window.spans.find((s) => bar.time >= s.start && bar.time < s.end);
        // Between two merged gaps: stored already, never written by a repair.
        if (!span) continue;
        if (reason === null) {
          candidates.push({ bar, span });
          continue;
        }
        this.rejected++;
        if (++span.target.rejections <= NOTED_REJECTIONS_PER_GAP) {
          span.target.notes.push(`${providerNames[adapter.id]} sent an invalid bar for ${isoMinute(bar.time)}, not stored: ${reason}.`);
        }
      }
      if (candidates.length === 0) continue;

      // Another job may have written part of the gap since the scan; a repair never replaces a stored bar.
      const stored = await storage.marketData.queryBars({ symbol, timeframe: base, from: candidates[0]!.bar.time, to: candidates.at(-1)!.bar.time });
      const taken = new Set(stored.bars.map((bar) => bucketStart(bar.time, base)));
      const fresh = candidates.filter(({ bar }) => !taken.has(bucketStart(bar.time, base)));
      if (fresh.length === 0) continue;
      await storage.marketData.upsertBars({ symbol, timeframe: base, source: page.source, bars: fresh.map(({ bar }) => bar) });
      for (const { span } of fresh) {
        const { target } = span;
        target.filled++;
        target.filledBy.set(adapter.id, (target.filledBy.get(adapter.id) ?? 0) + 1);
      }
      this.filled += fresh.length;
      events.emit('bars.changed', { symbol, timeframe: base, from: fresh[0]!.bar.time, to: fresh.at(-1)!.bar.time });
    }
  }

  /** What is still missing of a gap, by the same gap detection quality.report uses. */
  private async rescan(target: Target, calendar: MarketCalendar): Promise<void> {
    const { timeframe, instrument } = this.request;
    const { bars } = await this.deps.storage.marketData.queryBars({ symbol: instrument.symbol, timeframe, from: target.from, to: target.to });
    const { gaps } = findGaps(bars, timeframe, calendar, { first: target.from, last: target.to });
    target.open = gaps.map((gap) => ({ start: gap.from, end: nextBucket(gap.to, timeframe), target }));
    target.openMissing = gaps.reduce((sum, gap) => sum + gap.missing, 0);
  }

  private openTargets(): Target[] {
    return this.targets.filter((t) => t.open.length > 0);
  }

  private noteOpen(text: string): void {
    for (const target of this.openTargets()) note(target, text);
  }

  private reportProgress(): void {
    this.ctx.progress(this.targets.length - this.openTargets().length, this.targets.length);
  }

  private cancelled(): AppError {
    const { instrument, timeframe } = this.request;
    return new AppError(
      'CANCELLED',
      `The repair of ${instrument.symbol} ${timeframe} was cancelled; the bars it had written stay, and running it again fills the rest.`,
    );
  }
}

/** Adds a note once: a gap split into several windows hears the same failure only once. */
function note(target: Target, text: string): void {
  if (!target.notes.includes(text)) target.notes.push(text);
}

function describeRange(from: number | undefined, to: number | undefined): string {
  if (from === undefined) return `up to ${isoMinute(to!)}`;
  if (to === undefined) return `from ${isoMinute(from)}`;
  return `${isoMinute(from)} to ${isoMinute(to)}`;
}

import { describe, expect, it } from 'vitest';
import { backfillFormToInput, backfillFraction, canResume, describeBackfillPlan, describeBackfillRate, resumeBackfillInput, type BackfillCheckpointRow, type JobProgress } from './backfill-model';

const day = 86_400_000;
const from = Date.UTC(2024, 0, 1);
const to = from + 10 * day;

function checkpoint(patch: Partial<BackfillCheckpointRow> = {}): BackfillCheckpointRow {
  return {
    id: 'polygon:BTCUSD:1h:x',
    provider: 'polygon',
    symbol: 'BTCUSD',
    timeframe: '1h',
    rangeFrom: from,
    rangeTo: to,
    resumeFrom: from + 4 * day,
    rowsWritten: 96,
    status: 'running',
    jobRunId: 'job-2',
    updatedAt: from,
    progress: 0.4,
    lastRun: {
      runId: 'job-2', jobId: 'job-2',
      status: 'running',
      startedFrom: from + 4 * day,
      resumed: true,
      chunks: 1,
      pages: 0,
      received: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      rejections: [],
      error: null,
      errorCode: null,
      plan: null,
    },
    ...patch,
  };
}

const progress = (patch: Partial<JobProgress> = {}): JobProgress => ({
  runId: 'job-2', jobId: 'job-2',
  kind: 'backfill',
  done: 72,
  total: 144,
  unit: 'bars',
  rate: 1234.4,
  etaMs: 65_000,
  ...patch,
});

describe('backfillFraction', () => {
  it('adds a resumed run’s progress to the share covered before it started', () => {
    // 40% before the resume, then half of the remaining 60%.
    expect(backfillFraction(checkpoint(), progress())).toBeCloseTo(0.7);
  });

  it('uses the stored progress when the event belongs to another run or has no total', () => {
    expect(backfillFraction(checkpoint(), progress({ runId: 'job-1', jobId: 'job-1' }))).toBe(0.4);
    expect(backfillFraction(checkpoint(), progress({ total: null }))).toBe(0.4);
    expect(backfillFraction(checkpoint(), undefined)).toBe(0.4);
  });

  it('never moves back behind a fresher stored checkpoint', () => {
    expect(backfillFraction(checkpoint({ progress: 0.9 }), progress())).toBe(0.9);
  });
});

describe('describeBackfillRate', () => {
  it('gives rate and time left', () => {
    expect(describeBackfillRate(progress(), 'en-US')).toBe('1,234 bars/s · 1 min left');
    expect(describeBackfillRate(progress({ rate: null, etaMs: null }))).toBe('');
  });
});

describe('resume', () => {
  it('re-issues the checkpoint’s own request', () => {
    expect(resumeBackfillInput(checkpoint())).toEqual({ provider: 'polygon', symbol: 'BTCUSD', timeframe: '1h', from, to });
  });

  it('is offered for stopped backfills only', () => {
    expect(canResume(checkpoint({ status: 'interrupted', lastRun: null }))).toBe(true);
    expect(canResume(checkpoint({ status: 'cancelled' }))).toBe(true);
    expect(canResume(checkpoint({ status: 'failed' }))).toBe(true);
    expect(canResume(checkpoint({ status: 'running' }))).toBe(false);
    expect(canResume(checkpoint({ status: 'done' }))).toBe(false);
  });
});

describe('backfillFormToInput', () => {
  const form = { provider: 'polygon', symbol: ' btcusd ', timeframe: '1h', from: '2024-01-01', to: '2024-01-11' };

  it('maps dates to UTC midnights, `to` exclusive', () => {
    expect(backfillFormToInput(form)).toEqual({ input: { provider: 'polygon', symbol: 'BTCUSD', timeframe: '1h', from, to }, errors: null });
  });

  it('leaves `to` out for "up to now"', () => {
    expect(backfillFormToInput({ ...form, to: '' }).input).toEqual({ provider: 'polygon', symbol: 'BTCUSD', timeframe: '1h', from });
  });

  it('says what is wrong with each field', () => {
    expect(backfillFormToInput({ provider: '', symbol: '', timeframe: '2h', from: '', to: 'soon' }).errors).toEqual({
      provider: 'Choose a provider.',
      symbol: 'Choose an instrument.',
      timeframe: 'Choose a timeframe.',
      from: 'Enter the first day to fetch.',
      to: 'Enter a date, or leave it empty for up to now.',
    });
    expect(backfillFormToInput({ ...form, to: '2024-01-01' }).errors).toEqual({ to: 'The end must be after the start.' });
  });
});

describe('describeBackfillPlan', () => {
  const withPlan = (plan: NonNullable<BackfillCheckpointRow['lastRun']>['plan']) => checkpoint({ lastRun: { ...checkpoint().lastRun!, plan } });

  it('says where the key\'s plan starts and how Metalytics knows, never that the provider has no older data', () => {
    expect(describeBackfillPlan(withPlan({ historyStart: Date.UTC(2023, 1, 21), source: 'probed', probes: 14 }))).toBe(
      "Your plan starts at 2023-02-21 (learned from the provider's answers in 14 requests).",
    );
    expect(describeBackfillPlan(withPlan({ historyStart: Date.UTC(2023, 1, 21), source: 'remembered', probes: 0 }))).toBe(
      'Your plan starts at 2023-02-21 (learned from the provider earlier).',
    );
    expect(describeBackfillPlan(withPlan({ historyStart: Date.UTC(2015, 0, 1), source: 'settings', probes: 0 }))).toBe(
      'Your plan starts at 2015-01-01 (as stated in Settings).',
    );
  });

  it('says nothing when the plan did not cut the range or no run is known', () => {
    expect(describeBackfillPlan(checkpoint())).toBeNull();
    expect(describeBackfillPlan(checkpoint({ lastRun: null }))).toBeNull();
  });
});

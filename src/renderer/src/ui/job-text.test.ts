import { describe, expect, it } from 'vitest';
import { describeJobFinished, describeJobProgress } from './job-text';

describe('describeJobProgress', () => {
  it('shows percentage, counts and time left when the total is known', () => {
    expect(
      describeJobProgress({ runId: 'j', jobId: 'j', kind: 'import', done: 12_000, total: 26_000, unit: 'bars', rate: 1000, etaMs: 14_000 }, 'en-US'),
    ).toBe('Importing CSV · 46% · 12,000 / 26,000 bars · 14 s left');
  });

  it('shows only the count while the total is unknown', () => {
    expect(describeJobProgress({ runId: 'j', jobId: 'j', kind: 'backfill', done: 500, total: null, unit: 'bars', rate: null, etaMs: null }, 'en-US')).toBe(
      'Backfilling history · 500 bars',
    );
  });
});

describe('describeJobFinished', () => {
  it('says how the job ended', () => {
    expect(describeJobFinished({ runId: 'j', jobId: 'j', kind: 'demo', status: 'succeeded', rows: 29_930, error: null }, 'en-US')).toBe(
      'Loading demo data: done, 29,930 rows',
    );
    expect(describeJobFinished({ runId: 'j', jobId: 'j', kind: 'import', status: 'failed', rows: 0, error: 'file is empty' }, 'en-US')).toBe(
      'Importing CSV: failed — file is empty',
    );
  });
});

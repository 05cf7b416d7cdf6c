import { describe, expect, it } from 'vitest';
import type { IngestJob } from '../../../../shared/scheduler';
import { emptyJobForm, jobFormToDefinition, jobToForm, previewSchedule, quotaWarning, type JobForm } from './job-form';
import { nextScheduledRun } from './scheduled-runs';

const now = Date.UTC(2026, 10, 23, 12, 7); // a Monday
const form = (patch: Partial<JobForm> = {}): JobForm => ({
  ...emptyJobForm,
  name: 'Gold hourly',
  provider: 'polygon',
  symbols: 'xauusd, XAGUSD  btcusd',
  timeframe: '1h',
  ...patch,
});

describe('jobFormToDefinition', () => {
  it('turns the form into the definition the core takes, in its units', () => {
    expect(jobFormToDefinition(form({ backoffSeconds: '45', timeoutMinutes: '2' }), now)).toEqual({
      errors: null,
      definition: {
        name: 'Gold hourly',
        kind: 'backfill',
        provider: 'polygon',
        symbols: ['XAUUSD', 'XAGUSD', 'BTCUSD'],
        timeframe: '1h',
        modelName: null,
        tracking: { window: 50, onDrift: 'alert', retireAfter: 20 },
        schedule: '*/15 * * * *',
        timezone: 'UTC',
        lookbackDays: 30,
        retryPolicy: { maxAttempts: 3, backoffMs: 45_000 },
        timeoutMs: 120_000,
        dependsOn: [],
      },
    });
  });

  it('drops the timeframe for polls and news, and reads an empty schedule as on demand', () => {
    const result = jobFormToDefinition(form({ kind: 'news', symbols: '', schedule: ' ' }), now);
    expect(result.definition).toMatchObject({ kind: 'news', symbols: [], timeframe: null, schedule: null });
  });

  it('says what is wrong next to each field, in the form’s units', () => {
    const result = jobFormToDefinition(
      form({ name: ' ', provider: '', symbols: '', timeframe: '', schedule: 'every hour', backoffSeconds: '0.5', timeoutMinutes: '', maxAttempts: '11' }),
      now,
    );
    expect(result.errors).toEqual({
      name: 'Give the job a name.',
      provider: 'Choose a provider.',
      symbols: 'Name at least one instrument.',
      timeframe: 'Choose the timeframe to keep current.',
      schedule: expect.stringMatching(/^Not a cron expression: /),
      backoffSeconds: 'First retry wait must be at least 1 s.',
      timeoutMinutes: 'Time limit must be a whole number.',
      maxAttempts: 'Attempts must be at most 10.',
    });
  });

  it('sends forecast and retrain jobs without a provider, whatever the form held, with their own fields', () => {
    expect(jobFormToDefinition(form({ kind: 'predict', trackingWindow: '30', onDrift: 'retrain', retireAfter: '5' }), now)).toMatchObject({
      errors: null,
      definition: { kind: 'predict', provider: null, timeframe: '1h', modelName: null, tracking: { window: 30, onDrift: 'retrain', retireAfter: 5 } },
    });
    expect(jobFormToDefinition(form({ kind: 'train', provider: '', modelName: ' ridge-1d ', trackingWindow: 'x' }), now)).toMatchObject({
      errors: null,
      definition: { kind: 'train', provider: null, timeframe: null, modelName: 'ridge-1d', tracking: { window: 50, onDrift: 'alert', retireAfter: 20 } },
    });
  });

  it('sends a retention job with no provider, symbols or timeframe, whatever the form held', () => {
    expect(jobFormToDefinition(form({ kind: 'retention', name: 'Roll up old minutes' }), now)).toMatchObject({
      errors: null,
      definition: { kind: 'retention', provider: null, symbols: [], timeframe: null, modelName: null },
    });
  });

  it('still refuses what a forecast or retrain job cannot use', () => {
    expect(jobFormToDefinition(form({ kind: 'predict', timeframe: '', symbols: '', trackingWindow: '2', retireAfter: '' }), now).errors).toEqual({
      timeframe: 'Choose the timeframe of the series to forecast.',
      symbols: 'Name at least one instrument.',
      trackingWindow: 'Scoring window must be at least 5 predictions.',
      retireAfter: 'Retirement window must be a whole number.',
    });
    expect(jobFormToDefinition(form({ kind: 'train', modelName: '  ', name: '' }), now).errors).toEqual({
      name: 'Give the job a name.',
      modelName: 'Name the model to retrain, as the Models screen lists it.',
    });
    expect(jobFormToDefinition(form({ kind: 'backfill', provider: '' }), now).errors).toEqual({ provider: 'Choose a provider.' });
  });

  it('keeps the symbol rule’s own message and rejects unknown zones', () => {
    const result = jobFormToDefinition(form({ symbols: 'XAU USD!', timezone: 'Mars/Olympus' }), now);
    expect(result.errors).toEqual({
      symbols: 'symbol may contain letters, digits and . = ^ : _ / - only',
      timezone: '“Mars/Olympus” is not a time zone; use a name like Europe/London.',
    });
  });
});

describe('previewSchedule', () => {
  it('lists the next runs in the job’s time zone', () => {
    const { runs } = previewSchedule('30 9 * * 1-5', 'America/New_York', now, 2);
    // 09:30 New York is 14:30 UTC in November (EST).
    expect(runs).toEqual([Date.UTC(2026, 10, 23, 14, 30), Date.UTC(2026, 10, 24, 14, 30)]);
  });
});

describe('jobToForm', () => {
  it('round-trips a stored job through the form', () => {
    const job: IngestJob = {
      id: 'j1',
      name: 'Spot',
      kind: 'poll',
      provider: 'metalsapi',
      symbols: ['XAUUSD', 'XAGUSD'],
      timeframe: null,
      modelName: null,
      tracking: { window: 50, onDrift: 'alert', retireAfter: 20 },
      schedule: '0 * * * *',
      timezone: 'Europe/London',
      lookbackDays: 7,
      retryPolicy: { maxAttempts: 2, backoffMs: 60_000 },
      timeoutMs: 300_000,
      dependsOn: ['j0'],
      enabled: true,
      createdAt: now,
      updatedAt: now,
      nextRunAt: null,
      lastRun: null,
      runningRunId: null,
      runningJobId: null,
    };
    const { id: _id, enabled: _e, createdAt: _c, updatedAt: _u, nextRunAt: _n, lastRun: _l, runningRunId: _rr, runningJobId: _r, ...definition } = job;
    expect(jobFormToDefinition(jobToForm(job), now).definition).toEqual(definition);
    const predict: IngestJob = { ...job, kind: 'predict', provider: null, timeframe: '1d', tracking: { window: 80, onDrift: 'retrain', retireAfter: 3 } };
    const { id: _pi, enabled: _pe, createdAt: _pc, updatedAt: _pu, nextRunAt: _pn, lastRun: _pl, runningRunId: _prr, runningJobId: _pr, ...predictDefinition } = predict;
    expect(jobFormToDefinition(jobToForm(predict), now).definition).toEqual(predictDefinition);
  });
});

describe('previewSchedule refusals', () => {
  it('takes five or six fields, as the scheduler does, and spots a schedule that never fires', () => {
    expect(previewSchedule('0 0 12 * * * 2030', 'UTC', now).error).not.toBeNull();
    expect(previewSchedule('0 0 30 2 *', 'UTC', now).error).toBe('No date matches this schedule, so it never fires.');
    expect(previewSchedule('0 6 * * *', 'Mars/Olympus', now).error).toBe('“Mars/Olympus” is not a time zone; use a name like Europe/London.');
    expect(previewSchedule('0 */2 * * * *', 'UTC', now, 1).runs).toEqual([Date.UTC(2026, 10, 23, 12, 8)]);
  });
});

describe('nextScheduledRun', () => {
  it('is the soonest next run of any job', () => {
    expect(nextScheduledRun([{ nextRunAt: null }, { nextRunAt: now + 5 }, { nextRunAt: now + 2 }])).toBe(now + 2);
    expect(nextScheduledRun([{ nextRunAt: null }])).toBeNull();
  });
});

describe('quotaWarning', () => {
  // A Monday, 00:00 UTC.
  const monday = Date.UTC(2026, 10, 23);

  it('warns when a Metals-API schedule would spend more than the free plan’s monthly requests', () => {
    expect(quotaWarning('metalsapi', '0 * * * *', 'UTC', 1, monday)).toMatch(/about 50 requests a month; this schedule makes about 720 a month/);
    expect(quotaWarning('metalsapi', '*/5 * * * *', 'UTC', 2, monday)).toMatch(/about 17,280 a month/);
  });

  it('stays quiet when the schedule fits, counting each instrument as a request', () => {
    expect(quotaWarning('metalsapi', '0 6 * * 1-5', 'America/New_York', 2, monday)).toBeNull();
    expect(quotaWarning('metalsapi', '0 6 * * 1-5', 'America/New_York', 3, monday)).toMatch(/about 66 a month/);
  });

  it('counts Twelve Data’s credits per day and ignores providers without a quota of that kind', () => {
    expect(quotaWarning('twelvedata', '* * * * *', 'UTC', 1, monday)).toMatch(/800 credits a day; this schedule makes about 1,440 a day/);
    expect(quotaWarning('twelvedata', '*/5 * * * *', 'UTC', 2, monday)).toBeNull();
    expect(quotaWarning('polygon', '* * * * *', 'UTC', 10, monday)).toBeNull();
    expect(quotaWarning('metalsapi', 'not cron', 'UTC', 1, monday)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { parsePlanHistory, planHistoryFields } from './plan-history-field';

describe('plan history field', () => {
  it('shows what Settings hold: nothing = learn from the provider, full history, or a first date', () => {
    expect(planHistoryFields(undefined)).toEqual({ choice: 'learn', date: '' });
    expect(planHistoryFields('full')).toEqual({ choice: 'full', date: '' });
    expect(planHistoryFields('2023-02-21')).toEqual({ choice: 'date', date: '2023-02-21' });
  });

  it('saves nothing to learn, "full", or the date the plan starts', () => {
    expect(parsePlanHistory('learn', '2023-02-21')).toEqual({ ok: true, value: undefined });
    expect(parsePlanHistory('full', '')).toEqual({ ok: true, value: 'full' });
    expect(parsePlanHistory('date', ' 2023-02-21 ')).toEqual({ ok: true, value: '2023-02-21' });
  });

  it('asks for a date when the plan starts on one and none is given', () => {
    expect(parsePlanHistory('date', '')).toMatchObject({ ok: false, message: expect.stringMatching(/first day your plan includes/) });
    expect(parsePlanHistory('date', '21/02/2023')).toMatchObject({ ok: false });
  });
});

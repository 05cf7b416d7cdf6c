import { describe, expect, it } from 'vitest';
import { methods } from '../../src/shared/contract';

describe('runs are named runId, with jobId accepted for one release', () => {
  const cancel = methods['jobs.cancel'].input;

  it('takes the run by its name', () => {
    expect(cancel.parse({ runId: 'run-1' })).toEqual({ runId: 'run-1' });
  });

  it('still takes the name it had before 0.2', () => {
    expect(cancel.parse({ jobId: 'run-1' })).toEqual({ runId: 'run-1' });
  });

  it('refuses both names at once, or neither', () => {
    expect(cancel.safeParse({ runId: 'run-1', jobId: 'run-2' }).success).toBe(false);
    expect(cancel.safeParse({}).success).toBe(false);
  });

  it('answers with both names, carrying the same run', () => {
    const reply = methods['jobs.cancel'].output;
    expect(reply.safeParse({ runId: 'run-1', cancelled: true }).success).toBe(false);
    expect(reply.parse({ runId: 'run-1', jobId: 'run-1', cancelled: true })).toEqual({ runId: 'run-1', jobId: 'run-1', cancelled: true });
  });
});

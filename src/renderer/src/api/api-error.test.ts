import { describe, expect, it } from 'vitest';
import { ApiError, describeError, unwrap } from './api-error';

describe('unwrap', () => {
  it('returns the value of a success and throws an ApiError carrying the code otherwise', () => {
    expect(unwrap({ ok: true, value: 42 })).toBe(42);
    try {
      unwrap({ ok: false, error: { code: 'NOT_FOUND', message: 'No instrument XYZ' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe('NOT_FOUND');
      expect((error as ApiError).message).toBe('No instrument XYZ');
    }
  });
});

describe('describeError', () => {
  it('frames the core message by what the code means', () => {
    expect(describeError(new ApiError({ code: 'VALIDATION', message: 'symbol is required' }))).toBe(
      'That was not accepted: symbol is required.',
    );
    expect(describeError(new ApiError({ code: 'UNAVAILABLE', message: 'Database is down.' }))).toBe(
      'Not available right now: Database is down. Data already stored on this computer still works.',
    );
  });

  it('never shows internal details or non-contract errors verbatim', () => {
    const internal = describeError(new ApiError({ code: 'INTERNAL', message: 'TypeError: x is undefined at foo.ts:12' }));
    expect(internal).not.toContain('TypeError');
    expect(describeError(new Error('stack stack'))).not.toContain('stack');
  });
});

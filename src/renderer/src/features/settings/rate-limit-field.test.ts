import { describe, expect, it } from 'vitest';
import { parseRateLimit } from './rate-limit-field';

describe('parseRateLimit', () => {
  it('reads a blank field as the provider default and numbers as requests per minute', () => {
    expect(parseRateLimit('  ')).toEqual({ ok: true, value: undefined });
    expect(parseRateLimit('0')).toEqual({ ok: true, value: 0 });
    expect(parseRateLimit(' 7.5 ')).toEqual({ ok: true, value: 7.5 });
  });

  it('refuses negative and non-numeric rates with a sentence', () => {
    expect(parseRateLimit('-1')).toMatchObject({ ok: false });
    expect(parseRateLimit('fast')).toMatchObject({ ok: false, message: expect.stringMatching(/number/) });
  });
});

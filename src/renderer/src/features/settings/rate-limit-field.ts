/** A blank field means "back to the default"; anything else must be a number of requests per minute. */
export function parseRateLimit(text: string): { ok: true; value: number | undefined } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0) return { ok: false, message: 'Requests per minute must be a number, 0 for no limit of our own.' };
  return { ok: true, value };
}

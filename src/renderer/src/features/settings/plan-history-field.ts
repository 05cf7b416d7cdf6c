/**
 * The "History in your plan" field: learn it from the provider (nothing saved), the
 * provider's full history, or a first date. Saved as settings' `planHistoryStart`.
 */
export type PlanHistoryChoice = 'learn' | 'full' | 'date';

export function planHistoryFields(saved: string | undefined): { choice: PlanHistoryChoice; date: string } {
  if (saved === undefined) return { choice: 'learn', date: '' };
  return saved === 'full' ? { choice: 'full', date: '' } : { choice: 'date', date: saved };
}

export function parsePlanHistory(choice: PlanHistoryChoice, date: string): { ok: true; value: string | undefined } | { ok: false; message: string } {
  if (choice === 'learn') return { ok: true, value: undefined };
  if (choice === 'full') return { ok: true, value: 'full' };
  const trimmed = date.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(trimmed) || Number.isNaN(Date.parse(`${trimmed}T00:00:00Z`))) {
    return { ok: false, message: 'Enter the first day your plan includes, like 2023-02-21.' };
  }
  return { ok: true, value: trimmed };
}

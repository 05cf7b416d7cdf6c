import { timeframes, type Timeframe } from '../../../../shared/timeframes';

export type MarketsShortcut = { kind: 'timeframe'; timeframe: Timeframe } | { kind: 'search' } | { kind: 'layout' };

/** Cycles the window through one, two and four charts. */
export const LAYOUT_SHORTCUT_KEY = 'L';

export interface ShortcutKey {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Typing in a field must never switch the chart. */
  inEditableField: boolean;
}

/**
 * Digits 1–9 pick the active chart's timeframe in order (1 = 1m … 9 = 1M); `/` jumps to
 * instrument search; L cycles the layout.
 */
export function marketsShortcut(event: ShortcutKey): MarketsShortcut | null {
  if (event.inEditableField || event.ctrlKey || event.metaKey || event.altKey) return null;
  if (event.key === '/') return { kind: 'search' };
  if (event.key.toUpperCase() === LAYOUT_SHORTCUT_KEY) return { kind: 'layout' };
  if (!/^[1-9]$/.test(event.key)) return null;
  const timeframe = timeframes[Number(event.key) - 1];
  return timeframe ? { kind: 'timeframe', timeframe } : null;
}

export function timeframeShortcutKey(timeframe: Timeframe): string {
  return String(timeframes.indexOf(timeframe) + 1);
}

export function isEditableTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName);
}

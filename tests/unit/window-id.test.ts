import { describe, expect, it } from 'vitest';
import { chartLayoutsSchema } from '../../src/shared/chart-layout';
import { BROWSER_WINDOW_ID, nextWindowId, windowIdArgument, windowIdFromArgv } from '../../src/shared/window-id';

describe('desktop window ids', () => {
  it('hands out the lowest free number, so a window opened after another closed takes its place', () => {
    expect(nextWindowId([])).toBe('window-1');
    expect(nextWindowId(['window-1', 'window-2'])).toBe('window-3');
    expect(nextWindowId(['window-1', 'window-3'])).toBe('window-2');
  });

  it('reads back the id the main process put on the command line', () => {
    expect(windowIdFromArgv(['/usr/lib/electron', '--type=renderer', windowIdArgument('window-12')])).toBe('window-12');
    expect(windowIdFromArgv(['--metalytics-window-id='])).toBeNull();
    expect(windowIdFromArgv(['--metalytics-window-id=window-0'])).toBeNull();
    expect(windowIdFromArgv(['--metalytics-window-id=window-1 --inspect'])).toBeNull();
  });

  it('every id the app gives is one the settings accept as a layout key', () => {
    const layouts = { [nextWindowId(['window-1'])]: {}, [BROWSER_WINDOW_ID]: {} };
    expect(Object.keys(chartLayoutsSchema.parse(layouts))).toEqual(['window-2', 'browser']);
    expect(chartLayoutsSchema.safeParse({ 'Window 2': {} }).success).toBe(false);
  });
});

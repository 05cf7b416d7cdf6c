import { useCallback, useEffect, useRef, useState } from 'react';
import { compareViewSchema, defaultCompareView, type CompareView } from '../../../../shared/compare-view';
import { useSettings } from '../../ui/settings-context';

/** Where the view was kept before it moved into settings; read once, then removed. */
const LEGACY_STORAGE_KEY = 'metalytics.compare';
/** Typing a date or a window saves once, not per keystroke. */
const SAVE_DELAY_MS = 400;

function legacyView(): CompareView | null {
  const text = window.localStorage.getItem(LEGACY_STORAGE_KEY);
  if (text === null) return null;
  try {
    return compareViewSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * The Compare view as kept in settings (`settings.compare`), so it survives a reinstall and
 * travels in backups: read from the settings, and saved back shortly after each change and
 * when the screen closes.
 */
export function useSavedCompareView(): [CompareView, (patch: Partial<CompareView>) => void] {
  const { settings, updateSettings } = useSettings();
  const [edited, setEdited] = useState<CompareView | null>(null);
  const view = edited ?? settings?.compare ?? defaultCompareView;
  const update = useCallback((patch: Partial<CompareView>) => setEdited((current) => ({ ...(current ?? view), ...patch })), [view]);

  const pending = useRef<CompareView | null>(null);
  const save = useCallback(() => {
    const next = pending.current;
    pending.current = null;
    // A failed save leaves the view on screen; the next change tries again.
    if (next !== null) updateSettings({ compare: next }).catch(() => undefined);
  }, [updateSettings]);
  useEffect(() => {
    if (edited === null) return;
    pending.current = edited;
    const timer = setTimeout(save, SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [edited, save]);
  useEffect(() => save, [save]);

  useEffect(() => {
    if (settings === undefined || settings.compare !== undefined) return;
    const legacy = legacyView();
    if (legacy === null) return;
    window.localStorage.removeItem(LEGACY_STORAGE_KEY);
    setEdited((current) => current ?? legacy);
  }, [settings]);

  return [view, update];
}

import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Settings, SettingsPatch } from '../../../shared/domain';
import { useApiEvent } from '../api/hooks';
import { call } from '../api/client';

interface SettingsState {
  /** Undefined until the first `settings.get` answers. */
  settings: Settings | undefined;
  loadError: unknown;
  /** Saves a change; rejects with an ApiError the caller shows next to the control. */
  updateSettings(patch: SettingsPatch): Promise<Settings>;
}

const SettingsContext = createContext<SettingsState | null>(null);

/** One copy of the settings for every screen, kept current by `settings.changed` (other windows, the CLI). */
export function SettingsProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState<Settings>();
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => {
    call('settings.get').then(setSettings, setLoadError);
  }, []);
  useApiEvent('settings.changed', setSettings);

  const updateSettings = useCallback(async (patch: SettingsPatch) => {
    const next = await call('settings.update', patch);
    setSettings(next);
    return next;
  }, []);

  return <SettingsContext value={{ settings, loadError, updateSettings }}>{children}</SettingsContext>;
}

export function useSettings(): SettingsState {
  const state = useContext(SettingsContext);
  if (!state) throw new Error('useSettings must be used inside <SettingsProvider>');
  return state;
}

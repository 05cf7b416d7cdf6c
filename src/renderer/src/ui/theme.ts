import { useLayoutEffect, useSyncExternalStore } from 'react';
import type { Settings } from '../../../shared/domain';

export type ThemePreference = Settings['theme'];
export type ResolvedTheme = 'dark' | 'light';

export function resolveTheme(preference: ThemePreference, systemPrefersDark: boolean): ResolvedTheme {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light';
  return preference;
}

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

function subscribeToSystemTheme(onChange: () => void): () => void {
  const query = darkQuery();
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/**
 * Applies the theme as `data-theme` on <html>, where the CSS variables hang. A layout effect,
 * so the attribute is set before any child's passive effect reads the variables (the chart).
 */
export function useAppliedTheme(preference: ThemePreference): ResolvedTheme {
  const systemPrefersDark = useSyncExternalStore(subscribeToSystemTheme, () => darkQuery().matches);
  const theme = resolveTheme(preference, systemPrefersDark);
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return theme;
}

import { lazy, Suspense, useEffect, useState } from 'react';
import { useApiEvent } from '../api/hooks';
import { RestoredBanner, type Restored } from '../features/backups/restored-banner';
import type { DataSection } from '../features/data/data-screen';
import { MarketsScreen } from '../features/markets/markets-screen';
import type { Screen } from '../ui/screens';
import { Navigation } from './navigation';
import { SettingsProvider, useSettings } from '../ui/settings-context';
import { ShortcutHelp } from './shortcut-help';
import { StatusBar } from './status-bar';
import { useAppliedTheme } from '../ui/theme';

// Markets is what opens; every other screen's code loads the first time it is shown, so the
// window paints without parsing the model registry, the data jobs, backups and comparisons.
const BackupsScreen = lazy(() => import('../features/backups/backups-screen').then((module) => ({ default: module.BackupsScreen })));
const CompareScreen = lazy(() => import('../features/compare/compare-screen').then((module) => ({ default: module.CompareScreen })));
const DataScreen = lazy(() => import('../features/data/data-screen').then((module) => ({ default: module.DataScreen })));
const ModelsScreen = lazy(() => import('../features/models/models-screen').then((module) => ({ default: module.ModelsScreen })));
const PredictionsScreen = lazy(() => import('../features/predictions/predictions-screen').then((module) => ({ default: module.PredictionsScreen })));
const SettingsScreen = lazy(() => import('../features/settings/settings-screen').then((module) => ({ default: module.SettingsScreen })));

function Shell({ screen, onScreen, restored, onRestored }: { screen: Screen; onScreen(screen: Screen): void; restored: Restored | null; onRestored(restored: Restored | null): void }) {
  const { settings } = useSettings();
  const theme = useAppliedTheme(settings?.theme ?? 'system');
  const [importRequested, setImportRequested] = useState(false);
  const [dataSection, setDataSection] = useState<DataSection>('providers');

  // File > Import CSV… in the desktop menu works from every screen.
  useEffect(
    () =>
      window.metalyticsDesktop?.onMenuCommand((command) => {
        if (command === 'import-csv') {
          onScreen('markets');
          setImportRequested(true);
        }
      }),
    [onScreen],
  );

  return (
    <div className="app">
      <Navigation current={screen} onNavigate={onScreen} />
      <main className="app-main">
        {restored && <RestoredBanner restored={restored} onRestored={onRestored} />}
        <Suspense fallback={<section className="screen screen--centred muted">Loading…</section>}>
        {screen === 'markets' ? (
          <MarketsScreen
            theme={theme}
            importRequested={importRequested}
            onImportRequestHandled={() => setImportRequested(false)}
            onRestoreRequested={() => onScreen('backups')}
          />
        ) : screen === 'settings' ? (
          <SettingsScreen />
        ) : screen === 'compare' ? (
          <CompareScreen theme={theme} />
        ) : screen === 'data' ? (
          <DataScreen section={dataSection} onSection={setDataSection} />
        ) : screen === 'models' ? (
          <ModelsScreen theme={theme} />
        ) : screen === 'predictions' ? (
          <PredictionsScreen theme={theme} />
        ) : (
          <BackupsScreen onRestored={(outcome, label) => onRestored({ outcome, label })} />
        )}
        </Suspense>
      </main>
      <ShortcutHelp />
      <StatusBar
        onOpenAlerts={() => {
          setDataSection('alerts');
          onScreen('data');
        }}
        onOpenBackups={() => onScreen('backups')}
      />
    </div>
  );
}

/**
 * A restore replaces every stored row under the window, so everything below is mounted afresh
 * after one: each screen, the status bar and the settings read the restored database. The
 * screen shown and the banner that undoes the restore live here, above that.
 */
export function App() {
  const [screen, setScreen] = useState<Screen>('markets');
  const [restored, setRestored] = useState<Restored | null>(null);
  const [generation, setGeneration] = useState(0);
  const reopen = () => setGeneration((g) => g + 1);
  // Also a restore this window did not start (another window, a script over HTTP).
  useApiEvent('job.finished', (finished) => {
    if (finished.kind === 'restore' && finished.status === 'succeeded') reopen();
  });
  return (
    <SettingsProvider key={generation}>
      <Shell
        screen={screen}
        onScreen={setScreen}
        restored={restored}
        onRestored={(next) => {
          setRestored(next);
          if (next !== null) reopen();
        }}
      />
    </SettingsProvider>
  );
}

import { useEffect, useState } from 'react';
import { CompareScreen } from '../features/compare/compare-screen';
import { DataScreen, type DataSection } from '../features/data/data-screen';
import { MarketsScreen } from '../features/markets/markets-screen';
import { ModelsScreen } from '../features/models/models-screen';
import { PredictionsScreen } from '../features/predictions/predictions-screen';
import { SettingsScreen } from '../features/settings/settings-screen';
import { UpcomingScreen } from '../features/upcoming/upcoming-screen';
import type { Screen } from '../ui/screens';
import { Navigation } from './navigation';
import { SettingsProvider, useSettings } from '../ui/settings-context';
import { ShortcutHelp } from './shortcut-help';
import { StatusBar } from './status-bar';
import { useAppliedTheme } from '../ui/theme';

function Shell() {
  const { settings } = useSettings();
  const theme = useAppliedTheme(settings?.theme ?? 'system');
  const [screen, setScreen] = useState<Screen>('markets');
  const [importRequested, setImportRequested] = useState(false);
  const [dataSection, setDataSection] = useState<DataSection>('providers');

  // File > Import CSV… in the desktop menu works from every screen.
  useEffect(
    () =>
      window.metalyticsDesktop?.onMenuCommand((command) => {
        if (command === 'import-csv') {
          setScreen('markets');
          setImportRequested(true);
        }
      }),
    [],
  );

  return (
    <div className="app">
      <Navigation current={screen} onNavigate={setScreen} />
      <main className="app-main">
        {screen === 'markets' ? (
          <MarketsScreen theme={theme} importRequested={importRequested} onImportRequestHandled={() => setImportRequested(false)} />
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
          <UpcomingScreen screen={screen} />
        )}
      </main>
      <ShortcutHelp />
      <StatusBar
        onOpenAlerts={() => {
          setDataSection('alerts');
          setScreen('data');
        }}
      />
    </div>
  );
}

export function App() {
  return (
    <SettingsProvider>
      <Shell />
    </SettingsProvider>
  );
}

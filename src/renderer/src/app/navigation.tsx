export const screens = ['markets', 'compare', 'data', 'models', 'predictions', 'backups', 'settings'] as const;
export type Screen = (typeof screens)[number];

const screenLabels: Record<Screen, string> = {
  markets: 'Markets',
  compare: 'Compare',
  data: 'Data',
  models: 'Models',
  predictions: 'Predictions',
  backups: 'Backups',
  settings: 'Settings',
};

export function screenLabel(screen: Screen): string {
  return screenLabels[screen];
}

export function Navigation({ current, onNavigate }: { current: Screen; onNavigate(screen: Screen): void }) {
  return (
    <nav className="app-nav" aria-label="Screens">
      <div className="app-nav__brand">Metalytics</div>
      <ul>
        {screens.map((screen) => (
          <li key={screen}>
            <button
              type="button"
              className="app-nav__link"
              aria-current={screen === current ? 'page' : undefined}
              data-testid={`nav-${screen}`}
              onClick={() => onNavigate(screen)}
            >
              {screenLabels[screen]}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

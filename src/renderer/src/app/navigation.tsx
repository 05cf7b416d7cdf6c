import { screenLabel, screens, type Screen } from '../ui/screens';

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
              {screenLabel(screen)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

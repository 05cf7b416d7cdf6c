import { screenLabel, type Screen } from '../../ui/screens';

export type UpcomingScreen = Exclude<Screen, 'markets' | 'settings' | 'compare' | 'data' | 'models' | 'predictions'>;

/** What each screen will do, said plainly; none of it exists yet, so nothing here pretends to. */
const plans: Record<UpcomingScreen, string> = {
  backups: 'Backups will save prices, models and settings into one archive with one click, check archives, and restore them safely.',
};

export function UpcomingScreen({ screen }: { screen: UpcomingScreen }) {
  return (
    <section className="screen screen--centred" data-testid={`screen-${screen}`}>
      <div className="upcoming">
        <h1>{screenLabel(screen)}</h1>
        <p>{plans[screen]}</p>
        <p className="muted">This screen is not available yet in this version of Metalytics.</p>
      </div>
    </section>
  );
}

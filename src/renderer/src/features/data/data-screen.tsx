import { useApiQuery } from '../../api/hooks';
import { AlertsSection } from './alerts-section';
import { BackfillsSection } from './backfills-section';
import { DataTabs, panelId, tabId, type DataTab } from './data-tabs';
import { JobsSection } from './jobs-section';
import { ProvidersSection } from './providers-section';
import { QualitySection } from './quality-section';
import { RunHistorySection } from './run-history-section';
import { useAlerts } from './use-alerts';
import { useNow } from './use-now';
import './data.css';

export const dataSections = ['providers', 'jobs', 'backfills', 'runs', 'alerts', 'quality'] as const;
export type DataSection = (typeof dataSections)[number];

const sectionLabels: Record<DataSection, string> = {
  providers: 'Providers',
  jobs: 'Scheduled jobs',
  backfills: 'Backfills',
  runs: 'Run history',
  alerts: 'Alerts',
  quality: 'Data quality',
};

/** The section is kept by the shell, so the status bar's alert count can open the Alerts section. */
export function DataScreen({ section, onSection }: { section: DataSection; onSection(section: DataSection): void }) {
  const providers = useApiQuery('providers.list', {});
  const instruments = useApiQuery('instruments.list', {});
  const alerts = useAlerts();
  const now = useNow();
  const providerList = providers.data?.providers;
  const instrumentList = instruments.data?.instruments ?? [];
  const providerName = (id: string) => providerList?.find((p) => p.id === id)?.name ?? id;
  const tabs: DataTab<DataSection>[] = dataSections.map((id) => ({
    id,
    label:
      id === 'alerts' && alerts.unacknowledged > 0 ? (
        <>
          {sectionLabels[id]}
          <span className="count-badge" aria-label={`${alerts.unacknowledged} not acknowledged`} data-testid="data-alert-count">
            {alerts.unacknowledged}
          </span>
        </>
      ) : (
        sectionLabels[id]
      ),
  }));

  return (
    <section className="screen screen--scroll data-screen" data-testid="screen-data">
      <header className="data-screen__header">
        <h1 className="screen__title">Data</h1>
        <DataTabs<DataSection> tabs={tabs} current={section} onSelect={onSection} label="Data sections" />
      </header>
      <div className="data-screen__panel" role="tabpanel" id={panelId(section)} aria-labelledby={tabId(section)} tabIndex={0}>
        {section === 'providers' && <ProvidersSection providers={providerList} error={providers.error} />}
        {section === 'jobs' && <JobsSection providers={providerList ?? []} instruments={instrumentList} now={now} />}
        {section === 'backfills' && <BackfillsSection providers={providerList ?? []} instruments={instrumentList} now={now} />}
        {section === 'runs' && <RunHistorySection />}
        {section === 'alerts' && <AlertsSection alerts={alerts} now={now} />}
        {section === 'quality' && <QualitySection providerName={providerName} />}
      </div>
    </section>
  );
}

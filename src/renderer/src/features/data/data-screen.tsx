import { useState } from 'react';
import { useApiQuery } from '../../api/hooks';
import { BackfillsSection } from './backfills-section';
import { DataTabs, panelId, tabId, type DataTab } from './data-tabs';
import { ProvidersSection } from './providers-section';
import { QualitySection } from './quality-section';
import { RunHistorySection } from './run-history-section';
import './data.css';

export const dataSections = ['providers', 'backfills', 'runs', 'quality'] as const;
export type DataSection = (typeof dataSections)[number];

const sectionLabels: Record<DataSection, string> = {
  providers: 'Providers',
  backfills: 'Backfills',
  runs: 'Run history',
  quality: 'Data quality',
};

export function DataScreen() {
  const [section, setSection] = useState<DataSection>('providers');
  const providers = useApiQuery('providers.list', {});
  const instruments = useApiQuery('instruments.list', {});
  const providerList = providers.data?.providers;
  const tabs: DataTab<DataSection>[] = dataSections.map((id) => ({ id, label: sectionLabels[id] }));

  return (
    <section className="screen screen--scroll data-screen" data-testid="screen-data">
      <header className="data-screen__header">
        <h1 className="screen__title">Data</h1>
        <DataTabs<DataSection> tabs={tabs} current={section} onSelect={setSection} label="Data sections" />
      </header>
      <div className="data-screen__panel" role="tabpanel" id={panelId(section)} aria-labelledby={tabId(section)} tabIndex={0}>
        {section === 'providers' && <ProvidersSection providers={providerList} error={providers.error} />}
        {section === 'backfills' && <BackfillsSection providers={providerList ?? []} instruments={instruments.data?.instruments ?? []} />}
        {section === 'runs' && <RunHistorySection />}
        {section === 'quality' && <QualitySection />}
      </div>
    </section>
  );
}

/** The restore engine on a real TimescaleDB: the extension stays in `public`, and the restored schema's market_data is a hypertable of its own. */
import { describe } from 'vitest';
import { useTestTimescale, timescaleRunnable } from '../../support/timescale';
import { describeRestoreOnPostgres } from '../../support/restore-engines';

describe.skipIf(!timescaleRunnable())('restoring on TimescaleDB', () => {
  const timescale = useTestTimescale();
  describeRestoreOnPostgres(() => timescale.createDatabaseUrl(), 'timescaledb');
});

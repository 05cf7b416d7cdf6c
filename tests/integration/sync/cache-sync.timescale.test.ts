import { describe } from 'vitest';
import { timescaleRunnable, useTestTimescale } from '../../support/timescale';
import { describeCacheSync } from './cache-sync-suite';

describe.skipIf(!timescaleRunnable())('TimescaleDB', () => {
  const timescale = useTestTimescale();
  describeCacheSync('TimescaleDB', () => timescale);
});

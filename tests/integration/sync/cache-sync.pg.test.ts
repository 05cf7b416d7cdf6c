import { useTestPostgres } from '../../support/postgres';
import { describeCacheSync } from './cache-sync-suite';

const postgres = useTestPostgres();
describeCacheSync('Postgres', () => postgres);

/** The restore engine on a real (embedded) Postgres: new schemas beside the live tables, and cross-mode both ways. */
import { describe } from 'vitest';
import { useTestPostgres } from '../../support/postgres';
import { describeRestoreOnPostgres } from '../../support/restore-engines';

describe('restoring on Postgres', () => {
  const postgres = useTestPostgres();
  describeRestoreOnPostgres(() => postgres.createDatabaseUrl(), 'postgres');
});

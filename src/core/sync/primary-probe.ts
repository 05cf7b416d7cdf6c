import type pg from 'pg';
import { loadPg } from '../storage/pg-connection';

/**
 * Asks the team's Postgres server whether it answers, on one connection of its own kept
 * between asks. Connecting and the query each give up after `timeoutMs`, so a server behind
 * a dead network path (no reset, no answer) reads as away within that time instead of
 * hanging on TCP retransmissions for minutes; a failed connection is dropped and the next
 * ask opens a new one.
 */
export class PrimaryProbe {
  private client: pg.Client | null = null;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async reachable(): Promise<boolean> {
    try {
      this.client ??= await this.connect();
      await this.client.query('SELECT 1');
      return true;
    } catch {
      this.drop();
      return false;
    }
  }

  close(): void {
    this.drop();
  }

  private async connect(): Promise<pg.Client> {
    const client = new (await loadPg()).Client({ connectionString: this.url, connectionTimeoutMillis: this.timeoutMs, query_timeout: this.timeoutMs, application_name: 'metalytics-probe' });
    // A server that stops closes this connection: without a listener that would crash the process.
    client.on('error', () => this.drop(client));
    try {
      await client.connect();
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  private drop(client = this.client): void {
    if (client === null) return;
    if (this.client === client) this.client = null;
    void client.end().catch(() => undefined);
  }
}

import type { ProviderId } from '../../shared/domain';
import { json, nullableNumber, parseJson, type SqlExecutor } from './sql-executor';
import type { NewsArticle, NewsRepository } from './types';

const NEWS_COLUMNS = `provider, provider_id AS "providerId", published_at AS "publishedAt", title, url, tickers, publisher, sentiment`;

export class SqlNews implements NewsRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async upsert(articles: readonly NewsArticle[]): Promise<{ inserted: number; updated: number }> {
    let inserted = 0;
    let updated = 0;
    // Article by article: a page holds at most a thousand, and the counts stay exact on both drivers.
    for (const article of articles) {
      const params = { ...article, tickers: json(article.tickers) };
      if (
        (await this.sql.execute(
          `INSERT INTO news (provider, provider_id, published_at, title, url, tickers, publisher, sentiment)
           VALUES ({provider}, {providerId}, {publishedAt}, {title}, {url}, {tickers}, {publisher}, {sentiment})
           ON CONFLICT (provider, provider_id) DO NOTHING`,
          params,
        )) > 0
      ) {
        inserted++;
        continue;
      }
      updated += await this.sql.execute(
        `UPDATE news SET published_at = {publishedAt}, title = {title}, url = {url}, tickers = {tickers}, publisher = {publisher},
           sentiment = {sentiment}
         WHERE provider = {provider} AND provider_id = {providerId}
           AND (published_at <> {publishedAt} OR title <> {title} OR url <> {url} OR tickers <> {tickers}
             OR publisher IS DISTINCT FROM {publisher} OR sentiment IS DISTINCT FROM {sentiment})`,
        params,
      );
    }
    return { inserted, updated };
  }

  async list(filter: { provider?: ProviderId; limit: number }): Promise<NewsArticle[]> {
    const rows = await this.sql.query(
      `SELECT ${NEWS_COLUMNS} FROM news WHERE provider = COALESCE({provider}, provider)
       ORDER BY published_at DESC, id DESC LIMIT {limit}`,
      { provider: filter.provider ?? null, limit: filter.limit },
    );
    return rows.map((row) => ({
      provider: row.provider as ProviderId,
      providerId: String(row.providerId),
      publishedAt: Number(row.publishedAt),
      title: String(row.title),
      url: String(row.url),
      tickers: parseJson<string[]>(row.tickers),
      publisher: (row.publisher ?? null) as string | null,
      sentiment: nullableNumber(row.sentiment),
    }));
  }

  async latestPublishedAt(provider: ProviderId): Promise<number | null> {
    const [row] = await this.sql.query('SELECT max(published_at) AS latest FROM news WHERE provider = {provider}', { provider });
    return nullableNumber(row?.latest);
  }
}

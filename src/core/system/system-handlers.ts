import type { CoreContext } from '../context';
import type { HandlerMap } from '../handlers';

export function systemHandlers(ctx: CoreContext): HandlerMap {
  const { storage } = ctx;
  return {
    'system.status': async () => {
      const online = await storage.ping();
      // Counting needs the database; offline, the status still answers with what it knows, and
      // says the counts are unknown rather than 0, which would read as "the data is gone".
      const [instruments, bars] = online
        ? await Promise.all([storage.instruments.list().then((list) => list.length), storage.marketData.countBars()])
        : [null, null];
      return {
        appVersion: ctx.ports.appVersion,
        database: { mode: storage.mode, online, location: storage.location, schemaVersion: storage.schemaVersion, problem: storage.problem() },
        instruments,
        bars,
        startedAt: ctx.startedAt,
        sync: await ctx.sync.status(),
      };
    },
  };
}

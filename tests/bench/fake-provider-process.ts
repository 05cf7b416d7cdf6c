/**
 * The fake provider server in a process of its own, for the backfill bench: building a
 * 50,000-bar answer costs the server tens of milliseconds, and a real provider does that
 * work on its own machine, not on the event loop whose delay the bench measures.
 *
 * Prints one JSON line `{ "polygonBaseUrl": …, "polygonKey": … }` once it listens, and
 * exits when its parent closes stdin.
 */
import { FakeProviderServer } from '../support/fake-provider-server';

const now = Number(process.argv[2]);
if (!Number.isSafeInteger(now)) throw new Error('usage: fake-provider-process.ts <now as epoch ms>');

// Polygon's real page size: up to 50,000 aggregates per answer.
const server = await FakeProviderServer.start({ now, polygonPageSize: 50_000 });
process.stdout.write(`${JSON.stringify({ polygonBaseUrl: server.baseUrl('polygon'), polygonKey: server.state.keys.polygon })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));

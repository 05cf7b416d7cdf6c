/** Helpers of the team-database tests (issue 13): waiting on a condition, and daily bars as a CSV file's text. */

const DAY_MS = 86_400_000;

/** Resolves once `condition` holds, asking every 250 ms; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `days` consecutive daily bars from `first` (00:00 UTC) around `price`, as a Yahoo-style CSV. */
export function dailyBarsCsv(first: number, days: number, price: number): string {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let day = 0; day < days; day++) {
    const open = price + (day % 7);
    const close = open + ((day % 3) - 1);
    lines.push(`${new Date(first + day * DAY_MS).toISOString().slice(0, 10)},${open},${Math.max(open, close) + 2},${Math.min(open, close) - 2},${close},${1000 + day}`);
  }
  return `${lines.join('\n')}\n`;
}

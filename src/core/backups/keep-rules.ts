/**
 * Which backups the keep rules leave, with restic's `forget --keep-daily/--keep-weekly/
 * --keep-monthly` semantics: per rule, walk the candidates newest first and keep the newest one
 * of each distinct day (ISO week, month) until the rule's count is used up; if the candidates
 * run out before a rule's count does, the oldest is kept as well. A backup kept by any rule is
 * kept. Days, weeks and months are the calendar's in `timeZone`, as restic reads a snapshot's
 * local time.
 */
import type { KeepRules } from '../../shared/backup-settings';

export interface KeepCandidate {
  id: string;
  createdAt: number;
}

type Bucket = (parts: CivilDate) => string;

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function civilDate(at: number, formatter: Intl.DateTimeFormat): CivilDate {
  const parts = Object.fromEntries(formatter.formatToParts(new Date(at)).map((part) => [part.type, part.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
}

/** ISO 8601 week: weeks start on Monday, week 1 holds the year's first Thursday (as Go's Time.ISOWeek). */
function isoWeek({ year, month, day }: CivilDate): string {
  const thursday = new Date(Date.UTC(year, month - 1, day));
  // The Thursday of the same Monday-to-Sunday week decides the week's year and number.
  thursday.setUTCDate(thursday.getUTCDate() + 3 - ((thursday.getUTCDay() + 6) % 7));
  const weekYear = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * 86_400_000));
  return `${weekYear}-W${week}`;
}

const buckets: Record<keyof KeepRules, Bucket> = {
  daily: ({ year, month, day }) => `${year}-${month}-${day}`,
  weekly: isoWeek,
  monthly: ({ year, month }) => `${year}-${month}`,
};

/** The ids the rules keep among `candidates` (any order); the rest may be pruned. */
export function keptByRules(candidates: readonly KeepCandidate[], rules: KeepRules, timeZone: string): Set<string> {
  const formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
  const newestFirst = [...candidates].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const dates = newestFirst.map((candidate) => civilDate(candidate.createdAt, formatter));
  const kept = new Set<string>();
  for (const rule of Object.keys(buckets) as (keyof KeepRules)[]) {
    let left = rules[rule];
    let last: string | null = null;
    for (const [index, candidate] of newestFirst.entries()) {
      if (left === 0) break;
      const bucket = buckets[rule](dates[index]!);
      const oldest = index === newestFirst.length - 1;
      if (bucket !== last || oldest) {
        kept.add(candidate.id);
        last = bucket;
        left -= 1;
      }
    }
  }
  return kept;
}

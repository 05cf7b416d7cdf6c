import type { MethodOutput } from '../../shared/contract';
import type { BadOhlcPolicy, CsvMapping, csvDetectionSchema } from '../../shared/domain';
import { nominalTimeframeMs, type Timeframe } from '../../shared/timeframes';
import type { z } from 'zod';
import type { BarScan } from './parse-bars';

type CsvDetection = z.infer<typeof csvDetectionSchema>;
type PreviewOutput = MethodOutput<'import.preview'>;
type ImportQuestion = PreviewOutput['questions'][number];

/** The detection as the mapping that reads the file the same way, every part given. */
export function mappingOf(detection: CsvDetection): CsvMapping {
  const { columns } = detection;
  // Detection only reports delimiters it guessed or was given, which are exactly the mapping's.
  const delimiter = detection.delimiter as NonNullable<CsvMapping['delimiter']>;
  return {
    delimiter,
    hasHeader: detection.hasHeader,
    dateFormat: detection.dateFormat,
    decimalSeparator: detection.decimalSeparator,
    utcOffsetMinutes: detection.utcOffsetMinutes,
    time: columns.time,
    // Null for a column the file lacks, so importing with this mapping does not look for one again.
    timeOfDay: columns.timeOfDay,
    open: columns.open,
    high: columns.high,
    low: columns.low,
    close: columns.close,
    volume: columns.volume,
  };
}

const MINUTE = 60_000;
const units = [
  ['day', 24 * 60 * MINUTE],
  ['hour', 60 * MINUTE],
  ['minute', MINUTE],
  ['second', 1000],
] as const;

/** "1 day", "4 hours", "90 seconds": the largest unit that divides the spacing. */
export function describeSpacing(ms: number): string {
  const [unit, width] = units.find(([, w]) => ms % w === 0) ?? ['millisecond', 1];
  const count = ms / width;
  return `${count.toLocaleString('en-US')} ${unit}${count === 1 ? '' : 's'}`;
}

function columnName(detection: CsvDetection): string {
  const header = detection.headers[detection.columns.time];
  return header ? `column "${header}"` : `column ${detection.columns.time}`;
}

/**
 * What an import cannot go ahead without: a date order no row decides, a timeframe the
 * rows are not spaced for, or no timeframe at all. Each names the input option that answers it.
 */
export function layoutQuestions(fileName: string, detection: CsvDetection, requested: Timeframe | undefined): ImportQuestion[] {
  const questions: ImportQuestion[] = [];
  const choices = detection.dateFormatChoices;
  if (choices.length > 1) {
    questions.push({
      option: 'dateFormat',
      message:
        `The dates in ${columnName(detection)} of ${fileName} could be ${choices.map((format) => `"${format}"`).join(' or ')}: no day above 12 ` +
        'decides whether the day or the month comes first. Set the mapping option dateFormat to the one the file uses and import again.',
      choices,
    });
  }
  const { spacingMs, timeframe: spaced } = detection;
  if (requested === undefined) {
    if (spaced === null) {
      questions.push({
        option: 'timeframe',
        message: `Could not tell the timeframe of ${fileName} from the spacing of its rows. Choose the timeframe (1m … 1M) and import again.`,
        choices: [],
      });
    }
  } else if (spacingMs !== null && spaced !== requested && (spaced !== null || spacingMs < nominalTimeframeMs(requested) * 0.98)) {
    // Rows further apart than a bar but of no timeframe are a sparse series (gaps), not a contradiction.
    questions.push({
      option: 'timeframe',
      message:
        `The rows of ${fileName} are ${describeSpacing(spacingMs)} apart, so they are not ${requested} bars` +
        (spaced ? `; they look like ${spaced} bars. Choose ${spaced} as the timeframe, or leave it out to use the detected one.` : '. Choose the timeframe that fits them.'),
      choices: spaced ? [spaced] : [],
    });
  }
  return questions;
}

const percent = (share: number) => (share > 0 && share < 0.001 ? '<0.1%' : `${(share * 100).toFixed(1)}%`);

/** How many rows have inconsistent OHLC, in what way, and what each policy does with them. */
export function describeBadOhlc(scan: BarScan, policy: BadOhlcPolicy): PreviewOutput['badOhlc'] {
  const { closeOutside, openOutside, highBelowLow } = scan.badOhlc;
  const rows = closeOutside + openOutside + highBelowLow;
  const share = scan.rowsRead === 0 ? 0 : rows / scan.rowsRead;
  const kinds = [
    [closeOutside, 'a close outside high–low'],
    [openOutside, 'an open outside high–low'],
    [highBelowLow, 'a high below the low'],
  ] as const;
  const what = kinds.filter(([count]) => count > 0).map(([, kind]) => kind);
  return {
    policy,
    rows,
    share,
    message: rows === 0 ? '' : `${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'} (${percent(share)}) ${rows === 1 ? 'has' : 'have'} ${what.join(' or ')}`,
    outcomes: {
      reject: 'They are left out and listed as rejected rows; candles built from the rest miss their prices and volume.',
      widen: 'Their high and low are widened to take in open and close; each change is recorded with the import and listed by the quality report.',
      keep: 'They are stored as written and recorded with the import; the quality report lists them.',
    },
  };
}

/** Drawing units of the SVG; it stretches to whatever box the row gives it. */
const WIDTH = 100;
const HEIGHT = 24;
/** Keeps the extreme points' strokes inside the box. */
const INSET = 1.5;

export type Trend = 'up' | 'down' | 'flat';

/**
 * Polyline points for `closes` in a WIDTH × HEIGHT box, highest price at the top, and the
 * height of `reference` when it lies within the closes' range (a flat series sits mid-height).
 */
export function sparklineGeometry(closes: readonly number[], reference: number | null): { points: string; referenceY: number | null } {
  const low = Math.min(...closes);
  const high = Math.max(...closes);
  const span = high - low;
  // Two decimals of a 100-unit box are finer than any screen pixel and keep the markup short.
  const round = (value: number) => Math.round(value * 100) / 100;
  const y = (price: number) => round(span === 0 ? HEIGHT / 2 : INSET + ((high - price) / span) * (HEIGHT - 2 * INSET));
  // One close is drawn as a level line across the box.
  const xs = closes.length === 1 ? [0, WIDTH] : closes.map((_, i) => round((i * WIDTH) / (closes.length - 1)));
  const ys = closes.length === 1 ? [y(closes[0]!), y(closes[0]!)] : closes.map(y);
  return {
    points: xs.map((x, i) => `${x},${ys[i]}`).join(' '),
    referenceY: reference !== null && reference >= low && reference <= high ? y(reference) : null,
  };
}

/** A row-sized line of recent closes, coloured by the day's change, with the previous close dotted across. */
export function Sparkline({ closes, reference, trend }: { closes: readonly number[]; reference: number | null; trend: Trend }) {
  if (closes.length === 0) return null;
  const { points, referenceY } = sparklineGeometry(closes, reference);
  return (
    <svg className={`sparkline sparkline--${trend}`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" aria-hidden="true">
      {referenceY !== null && <line className="sparkline__reference" x1={0} x2={WIDTH} y1={referenceY} y2={referenceY} />}
      <polyline className="sparkline__line" points={points} />
    </svg>
  );
}

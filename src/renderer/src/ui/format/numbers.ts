/**
 * Decimals a price needs to show its meaningful moves: metals, indices and BTC move in cents,
 * FX-like quotes near 1 in pips, sub-unit coins further out.
 */
export function pricePrecision(typicalPrice: number): number {
  const magnitude = Math.abs(typicalPrice);
  if (!Number.isFinite(magnitude) || magnitude >= 10) return 2;
  if (magnitude >= 1) return 4;
  if (magnitude >= 0.01) return 6;
  return 8;
}

const priceFormats = new Map<string, Intl.NumberFormat>();

/**
 * The chart formats every price-axis label and data point through here, thousands of times a
 * paint; building an Intl.NumberFormat costs far more than using one, so each is built once.
 */
function priceFormat(precision: number, locale: string | undefined): Intl.NumberFormat {
  const key = `${locale ?? ''}|${precision}`;
  let format = priceFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { minimumFractionDigits: precision, maximumFractionDigits: precision });
    priceFormats.set(key, format);
  }
  return format;
}

export function formatPrice(value: number, precision: number, locale?: string): string {
  return priceFormat(precision, locale).format(value);
}

/** Volumes span 0.5 BTC to billions of shares: compact with at most two decimals. */
export function formatVolume(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 2 }).format(value);
}

export function formatCount(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** Signed percentage change, e.g. "+0.35%"; null when there is no reference price. */
export function formatChangePercent(from: number, to: number, locale?: string): string | null {
  if (from === 0 || !Number.isFinite(from) || !Number.isFinite(to)) return null;
  const percent = ((to - from) / Math.abs(from)) * 100;
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    signDisplay: 'exceptZero',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(percent / 100);
}

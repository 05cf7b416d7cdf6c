import type { Timeframe } from '../../../../shared/timeframes';
import type { BarWindow } from '../../charts/bar-window';
import { formatBarTime } from '../../ui/format/time';
import { UTC_ZONE, zonedIso, type DisplayZone } from '../../ui/format/zoned-time';
import { outputLabel, outputNames } from '../../charts/indicator-catalog';

/** Indices of the bars whose centre lies in a logical range (bar i spans i ± 0.5), or null when none do. */
export function barIndicesInRange(range: { from: number; to: number } | null, barCount: number): { first: number; last: number } | null {
  if (range === null || barCount === 0) return null;
  const first = Math.max(0, Math.ceil(range.from));
  const last = Math.min(barCount - 1, Math.floor(range.to));
  return first > last ? null : { first, last };
}

/**
 * Bars `first`…`last` of the window as CSV: bar open time in ISO 8601 with the zone's offset
 * (Z in UTC, the default), OHLCV, then one
 * column per indicator output in chart order. Numbers are written in full (no rounding), so
 * the file reproduces what was charted; warm-up values are empty cells. Papa Parse quotes
 * headers such as "MACD 12, 26, 9 signal"; it loads on the first export, since few charts are
 * ever exported and the first screen should not wait for it.
 */
export async function chartCsv(window: BarWindow, first: number, last: number, zone: DisplayZone = UTC_ZONE): Promise<string> {
  const { default: Papa } = await import('papaparse');
  const outputs = window.indicators.flatMap((series) =>
    outputNames(series.spec).map((name) => ({ header: outputLabel(series.spec, name), values: series.outputs[name] })),
  );
  const fields = ['time', 'open', 'high', 'low', 'close', 'volume', ...outputs.map((output) => output.header)];
  const data: string[][] = [];
  for (let i = first; i <= last; i++) {
    const bar = window.bars[i];
    if (bar === undefined) continue;
    const indicatorCells = outputs.map((output) => {
      const value = output.values?.[i];
      return value === null || value === undefined ? '' : String(value);
    });
    data.push([zonedIso(bar.time, zone), ...[bar.open, bar.high, bar.low, bar.close, bar.volume].map(String), ...indicatorCells]);
  }
  return Papa.unparse({ fields, data }, { newline: '\r\n' });
}

/** "XAUUSD-1d-2025-09-30.csv": symbol, timeframe and last bar, safe as a file name everywhere. */
export function exportFileName(symbol: string, timeframe: Timeframe, lastBarTime: number, extension: 'csv' | 'png'): string {
  const stamp = formatBarTime(lastBarTime, timeframe).replace(' ', 'T').replace(':', '');
  // 1m and 1M differ only in case, which case-insensitive file systems would merge.
  const period = timeframe === '1M' ? '1mo' : timeframe;
  return `${symbol.replace(/[^A-Za-z0-9.=^_-]/g, '_')}-${period}-${stamp}.${extension}`;
}

/** Saves through the browser's download, which Electron turns into a save dialog. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference by now; revoking later leaves time for slow starts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface ImageCaption {
  title: string;
  detail: string;
  background: string;
  text: string;
  muted: string;
}

/** The chart's screenshot under a caption line, so an exported image says what it shows. */
export function captionedChartImage(chart: HTMLCanvasElement, caption: ImageCaption, pixelRatio: number): HTMLCanvasElement {
  const captionHeight = Math.round(28 * pixelRatio);
  const canvas = document.createElement('canvas');
  canvas.width = chart.width;
  canvas.height = chart.height + captionHeight;
  const context = canvas.getContext('2d');
  if (!context) return chart;
  context.fillStyle = caption.background;
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.textBaseline = 'middle';
  context.font = `600 ${Math.round(13 * pixelRatio)}px system-ui, sans-serif`;
  context.fillStyle = caption.text;
  const x = Math.round(10 * pixelRatio);
  context.fillText(caption.title, x, captionHeight / 2);
  const titleWidth = context.measureText(caption.title).width;
  context.font = `${Math.round(12 * pixelRatio)}px system-ui, sans-serif`;
  context.fillStyle = caption.muted;
  context.fillText(caption.detail, x + titleWidth + Math.round(12 * pixelRatio), captionHeight / 2);
  context.drawImage(chart, 0, captionHeight);
  return canvas;
}

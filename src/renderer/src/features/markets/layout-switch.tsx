import { chartLayoutSizes } from '../../../../shared/choices';
import type { ChartLayoutSize } from '../../../../shared/chart-layout';
import { LAYOUT_SHORTCUT_KEY } from './shortcuts';

const names: Record<ChartLayoutSize, string> = { 1: 'One chart', 2: 'Two charts side by side', 4: 'Four charts' };

/** The panes of each layout, drawn in a 14×14 box. */
const cells: Record<ChartLayoutSize, readonly [number, number, number, number][]> = {
  1: [[1, 1, 12, 12]],
  2: [
    [1, 1, 5.5, 12],
    [7.5, 1, 5.5, 12],
  ],
  4: [
    [1, 1, 5.5, 5.5],
    [7.5, 1, 5.5, 5.5],
    [1, 7.5, 5.5, 5.5],
    [7.5, 7.5, 5.5, 5.5],
  ],
};

/** How many charts the window shows; in the chart toolbar. */
export function LayoutSwitch({ charts, onChange }: { charts: ChartLayoutSize; onChange(charts: ChartLayoutSize): void }) {
  return (
    <div className="layout-switch" role="group" aria-label="Charts in this window">
      {chartLayoutSizes.map((size) => (
        <button
          key={size}
          type="button"
          className="button button--tool layout-switch__button"
          aria-pressed={charts === size}
          aria-label={names[size]}
          title={`${names[size]} (${LAYOUT_SHORTCUT_KEY} cycles 1 → 2 → 4)`}
          data-testid={`layout-${size}`}
          onClick={() => onChange(size)}
        >
          <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">
            {cells[size].map(([x, y, width, height]) => (
              <rect key={`${x},${y}`} x={x} y={y} width={width} height={height} rx="1" fill="none" stroke="currentColor" strokeWidth="1.2" />
            ))}
          </svg>
        </button>
      ))}
    </div>
  );
}

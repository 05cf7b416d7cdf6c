import { useMemo } from 'react';
import type { LossPoint } from '../../../../shared/models';
import { NumericLineChart, type NumericLine } from '../../charts/numeric-line-chart';
import type { ResolvedTheme } from '../../ui/theme';

const formatLoss = (value: number) => new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 }).format(value);

/** Training and validation loss per epoch; the gap between them is where overfitting shows. */
export function LossChart({ losses, theme, testId }: { losses: readonly LossPoint[]; theme: ResolvedTheme; testId: string }) {
  const lines = useMemo<NumericLine[]>(() => {
    const validation = losses.flatMap((point) => (point.valLoss === null ? [] : [{ x: point.epoch, y: point.valLoss }]));
    return [
      { id: 'loss', label: 'loss', colorVariable: '--loss-train', points: losses.map((point) => ({ x: point.epoch, y: point.loss })) },
      ...(validation.length > 0 ? [{ id: 'val', label: 'val loss', colorVariable: '--loss-val', dashed: true, points: validation }] : []),
    ];
  }, [losses]);
  return (
    <div className="loss-chart">
      <NumericLineChart
        lines={lines}
        theme={theme}
        xLabel={(epoch) => `epoch ${epoch}`}
        formatValue={formatLoss}
        testId={testId}
        ariaLabel={`Loss curves over ${losses.length} epochs`}
      />
      <p className="loss-chart__key muted">
        <span className="loss-chart__swatch loss-chart__swatch--train" aria-hidden="true" /> training loss{' '}
        <span className="loss-chart__swatch loss-chart__swatch--val" aria-hidden="true" /> validation loss (early stopping watches it)
      </p>
    </div>
  );
}

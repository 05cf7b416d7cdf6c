import { timeframes, type Timeframe } from '../../../../shared/timeframes';
import { timeframeShortcutKey } from './shortcuts';

const timeframeNames: Record<Timeframe, string> = {
  '1m': '1 minute',
  '5m': '5 minutes',
  '15m': '15 minutes',
  '30m': '30 minutes',
  '1h': '1 hour',
  '4h': '4 hours',
  '1d': '1 day',
  '1w': '1 week',
  '1M': '1 month',
};

interface TimeframeBarProps {
  value: Timeframe;
  /** Timeframes the stored data can produce; the others stay clickable but are dimmed. */
  available: readonly Timeframe[];
  onChange(timeframe: Timeframe): void;
}

export function TimeframeBar({ value, available, onChange }: TimeframeBarProps) {
  return (
    <div className="timeframe-bar" role="group" aria-label="Timeframe">
      {timeframes.map((timeframe) => {
        const hasData = available.includes(timeframe);
        return (
          <button
            key={timeframe}
            type="button"
            className={`timeframe-bar__button${hasData ? '' : ' timeframe-bar__button--no-data'}`}
            aria-pressed={timeframe === value}
            data-testid={`tf-${timeframe}`}
            title={`${timeframeNames[timeframe]} (key ${timeframeShortcutKey(timeframe)})${hasData ? '' : ' — no stored data fine enough'}`}
            onClick={() => onChange(timeframe)}
          >
            {timeframe}
          </button>
        );
      })}
    </div>
  );
}

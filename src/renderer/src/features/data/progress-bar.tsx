/** A labelled progress bar; `fraction` is 0 to 1 and is exposed to assistive technology as a percentage. */
export function ProgressBar({ fraction, label, testId, state }: { fraction: number; label: string; testId?: string; state: 'running' | 'done' | 'stopped' }) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10;
  return (
    <div
      className={`progress progress--${state}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%`}
      data-testid={testId}
    >
      <div className="progress__fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

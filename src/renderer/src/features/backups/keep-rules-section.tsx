import { useId, useState } from 'react';
import type { KeepRules } from '../../../../shared/backup-settings';
import { useApiAction } from '../../api/use-api-action';
import { useSettings } from '../../ui/settings-context';

type KeepField = keyof KeepRules | 'safetyDays';

const fields: ReadonlyArray<{ field: KeepField; label: string; unit: string; max: number }> = [
  { field: 'daily', label: 'Daily', unit: 'days with a backup', max: 3_650 },
  { field: 'weekly', label: 'Weekly', unit: 'weeks', max: 520 },
  { field: 'monthly', label: 'Monthly', unit: 'months', max: 1_200 },
  { field: 'safetyDays', label: 'Safety backups', unit: 'days', max: 3_650 },
];

/**
 * The keep rules applied after each successful backup, as restic's `--keep-daily/weekly/monthly`
 * (the newest backup of each of the last N days, weeks, months is kept), and how long the safety
 * backups taken before a restore or a migration stay. Pinned backups are never pruned.
 */
export function KeepRulesSection() {
  const prefix = useId();
  const { settings, updateSettings } = useSettings();
  const save = useApiAction();
  const [typed, setTyped] = useState<Partial<Record<KeepField, string>>>({});
  const current = settings?.backups;
  const valueOf = (field: KeepField) => typed[field] ?? (current ? String(field === 'safetyDays' ? current.safetyDays : current.keep[field]) : '');
  const numberOf = (field: KeepField, max: number) => {
    const value = Number(valueOf(field));
    const min = field === 'safetyDays' ? 1 : 0;
    return Number.isInteger(value) && value >= min && value <= max ? value : null;
  };
  const parsed = Object.fromEntries(fields.map(({ field, max }) => [field, numberOf(field, max)])) as Record<KeepField, number | null>;
  const invalid = fields.filter(({ field }) => parsed[field] === null);
  const changed = Object.keys(typed).length > 0;

  const submit = () =>
    save.run(async () => {
      if (!current || invalid.length > 0) return;
      const { daily, weekly, monthly, safetyDays } = parsed as Record<KeepField, number>;
      await updateSettings({ backups: { ...current, keep: { daily, weekly, monthly }, safetyDays } });
      setTyped({});
    });

  return (
    <section className="panel" aria-labelledby={`${prefix}-title`} data-testid="keep-rules">
      <h2 id={`${prefix}-title`}>Keep rules</h2>
      <p className="muted">
        After each successful backup the older ones are pruned: the newest of each of the last days, weeks and months below is kept, the
        rest deleted. Pinned backups are never pruned.
      </p>
      <div className="keep-rules__grid">
        {fields.map(({ field, label, unit, max }) => (
          <div key={field} className="keep-rules__row">
            <label htmlFor={`${prefix}-${field}`}>{label}</label>
            <input
              id={`${prefix}-${field}`}
              type="number"
              min={field === 'safetyDays' ? 1 : 0}
              max={max}
              className="keep-rules__input"
              value={valueOf(field)}
              disabled={!current}
              aria-invalid={parsed[field] === null}
              data-testid={`keep-${field}`}
              onChange={(e) => setTyped((t) => ({ ...t, [field]: e.target.value }))}
            />
            <span className="muted">{unit}</span>
          </div>
        ))}
      </div>
      {invalid.length > 0 && <p className="field-error">{invalid.map((f) => f.label).join(', ')}: a whole number, at most {Math.min(...invalid.map((f) => f.max))}.</p>}
      {save.error && (
        <p className="error-text" role="alert">
          {save.error}
        </p>
      )}
      <div className="data-form__actions">
        <button type="button" className="button" disabled={!changed || invalid.length > 0 || save.busy} data-testid="keep-save" onClick={() => void submit()}>
          Save keep rules
        </button>
      </div>
    </section>
  );
}

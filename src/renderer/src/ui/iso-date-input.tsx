import { useEffect, useState } from 'react';
import { dateInputToEpoch } from './format/time';

/**
 * A date typed as YYYY-MM-DD, the one date format of the app. `<input type="date">` shows the
 * browser's locale instead (mm/dd/yyyy in en-US), which contradicts every other date on screen.
 * `onChange` hears only real dates or '' (no date); a half-typed or impossible one stays a
 * draft marked invalid.
 */
export function IsoDateInput({
  id,
  value,
  label,
  testId,
  onChange,
}: {
  id: string;
  value: string;
  label?: string;
  testId?: string;
  onChange(value: string): void;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const accepted = (text: string) => text === '' || dateInputToEpoch(text) !== undefined;
  const valid = accepted(draft.trim());
  return (
    <input
      id={id}
      type="text"
      inputMode="numeric"
      placeholder="YYYY-MM-DD"
      maxLength={10}
      size={11}
      value={draft}
      aria-label={label}
      aria-invalid={!valid}
      title={valid ? undefined : 'A date like 2020-01-31, or empty'}
      data-testid={testId}
      onChange={(event) => {
        setDraft(event.target.value);
        const text = event.target.value.trim();
        if (accepted(text)) onChange(text);
      }}
    />
  );
}

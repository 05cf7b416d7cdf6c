import { badOhlcPolicies, type BadOhlcPolicy, type CsvFileShape, type RowError } from '../../../../shared/domain';
import { formatCount } from '../../ui/format/numbers';
import { columnLabel } from './mapping-controls';
import type { Preview } from './use-live-preview';

const rowsWord = (count: number) => (count === 1 ? 'row' : 'rows');

/** Rows named by their line in the file, with what is wrong with them or what was done to them. */
function LineList({ rows, total, intro, className, testId }: { rows: readonly RowError[]; total: number; intro: string; className: string; testId: string }) {
  if (total === 0) return null;
  return (
    <div className={className} data-testid={testId}>
      <p>
        {intro}
        {rows.length < total ? `; the first ${rows.length} are listed` : ''}:
      </p>
      <ul>
        {rows.map((row) => (
          <li key={`${row.line}:${row.reason}`}>
            Line {row.line}: {row.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function RowErrors({ errors, total }: { errors: readonly RowError[]; total: number }) {
  const intro = `${formatCount(total)} ${total === 1 ? 'row was' : 'rows were'} rejected`;
  return <LineList rows={errors} total={total} intro={intro} className="import__errors" testId="import-errors" />;
}

const repairVerbs: Record<Exclude<BadOhlcPolicy, 'reject'>, { future: string; past: string }> = {
  widen: { future: 'will be stored with high and low widened', past: 'were stored with high and low widened' },
  keep: { future: 'will be stored as written', past: 'were stored as written' },
};

/** The rows the bad-OHLC policy widens or keeps: before the import (`future`) or after it. */
export function RowRepairs({ policy, repairs, total, tense }: { policy: BadOhlcPolicy; repairs: readonly RowError[]; total: number; tense: 'future' | 'past' }) {
  if (policy === 'reject') return null;
  const intro = `${formatCount(total)} ${rowsWord(total)} ${repairVerbs[policy][tense]}`;
  return <LineList rows={repairs} total={total} intro={intro} className="import__repairs" testId="import-repairs" />;
}

const policyLabels: Record<BadOhlcPolicy, string> = {
  reject: 'Reject them',
  widen: 'Widen high and low',
  keep: 'Keep them as written',
};

/** The consequence of the file's inconsistent rows, and the choice of what the import does with them. */
export function BadOhlcChoice({ preview, chosen, onChoose }: { preview: Preview; chosen: BadOhlcPolicy; onChoose(policy: BadOhlcPolicy): void }) {
  const { badOhlc } = preview;
  if (badOhlc.rows === 0) return null;
  return (
    <fieldset className="import__bad-ohlc" data-testid="import-bad-ohlc">
      <legend data-testid="import-bad-ohlc-message">{badOhlc.message}. Import them with high and low widened?</legend>
      <div className="choice-group">
        {badOhlcPolicies.map((policy) => (
          <label key={policy} className="choice">
            <input
              type="radio"
              name="import-bad-ohlc"
              value={policy}
              checked={chosen === policy}
              onChange={() => onChoose(policy)}
              aria-describedby="import-bad-ohlc-outcome"
              data-testid={`import-bad-ohlc-${policy}`}
            />
            {policyLabels[policy]}
          </label>
        ))}
      </div>
      <p id="import-bad-ohlc-outcome" className="muted">
        {badOhlc.outcomes[chosen]}
      </p>
      <RowRepairs policy={badOhlc.policy} repairs={preview.repairs} total={preview.repaired} tense="future" />
    </fieldset>
  );
}

/** The file's first rows as written, so the user can see which column holds what while mapping them by hand. */
export function FileRows({ shape }: { shape: CsvFileShape }) {
  const columns = Array.from({ length: shape.columnCount }, (_, index) => index);
  return (
    <table className="data-table" data-testid="import-file-rows">
      <caption>First rows of the file as written</caption>
      <thead>
        <tr>
          {columns.map((index) => (
            <th key={index}>{columnLabel(shape, index)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {shape.sampleRows.map((row, line) => (
          // The rows are a fixed excerpt that is never reordered, so their position is their identity.
          <tr key={line}>
            {columns.map((index) => (
              <td key={index}>{row[index] ?? ''}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

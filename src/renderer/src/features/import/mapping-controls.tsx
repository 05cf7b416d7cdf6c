import { dateFormats, type CsvFileShape, type CsvMapping, type DateFormat } from '../../../../shared/domain';
import type { Preview } from './use-live-preview';

type Question = Preview['questions'][number];
type ColumnField = 'time' | 'timeOfDay' | 'open' | 'high' | 'low' | 'close' | 'volume';

const delimiters = [
  [',', 'comma (,)'],
  [';', 'semicolon (;)'],
  ['\t', 'tab'],
  ['|', 'pipe (|)'],
] as const;

/** `optional` fields can be "not in the file": the mapping then gives them as null. */
const columnFields: ReadonlyArray<{ field: ColumnField; label: string; optional: boolean }> = [
  { field: 'time', label: 'Date / time', optional: false },
  { field: 'timeOfDay', label: 'Time of day', optional: true },
  { field: 'open', label: 'Open', optional: true },
  { field: 'high', label: 'High', optional: true },
  { field: 'low', label: 'Low', optional: true },
  { field: 'close', label: 'Close', optional: false },
  { field: 'volume', label: 'Volume', optional: true },
];

/** What the controls show: a preview's reading of the file, or only how it splits when detection failed. */
export interface FileReading {
  /** The parts known so far; with only the file's shape, no column or date format is chosen. */
  mapping: CsvMapping;
  hasHeader: boolean;
  headers: readonly string[];
  columnCount: number;
  /** The date formats the values fit; none when detection found no date column. */
  dateFormatChoices: readonly DateFormat[];
  questions: Preview['questions'];
}

export function readingOfPreview({ mapping, detection, columnCount, questions }: Preview): FileReading {
  return { mapping, hasHeader: detection.hasHeader, headers: detection.headers, columnCount, dateFormatChoices: detection.dateFormatChoices, questions };
}

export function readingOfShape({ delimiter, hasHeader, headers, columnCount }: CsvFileShape): FileReading {
  return { mapping: { delimiter, hasHeader }, hasHeader, headers, columnCount, dateFormatChoices: [], questions: [] };
}

/** "2: Close", or "column 2" without a header: numbered from 1 for people, unlike the mapping. */
export function columnLabel(reading: Pick<FileReading, 'hasHeader' | 'headers'>, index: number): string {
  const header = reading.hasHeader ? reading.headers[index] : undefined;
  return header ? `${index + 1}: ${header}` : `column ${index + 1}`;
}

/** Columns are numbered within one way of splitting the rows; another delimiter numbers them anew. */
function withoutColumns(edits: CsvMapping): CsvMapping {
  return Object.fromEntries(Object.entries(edits).filter(([key]) => !columnFields.some((c) => c.field === key)));
}

/** From −12:00 to +14:00 in quarter hours, which covers every zone in use (+05:45, +12:45 …). */
const utcOffsets = Array.from({ length: (840 + 720) / 15 + 1 }, (_, i) => -720 + i * 15);

function formatUtcOffset(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The question detection asks about an option, shown under its control and named by it for screen readers. */
export function QuestionHint({ id, question }: { id: string; question: Question | undefined }) {
  if (!question) return null;
  return (
    <p id={id} className="import__question" data-testid={id}>
      {question.option === 'dateFormat' ? dateOrderQuestion(question.choices) : question.message}
    </p>
  );
}

/** Ties a control to the question about it (QuestionHint with the same id), and marks it unanswered. */
export function questionAttributes(id: string, question: Question | undefined) {
  return question ? { 'aria-describedby': id, 'aria-invalid': true } : {};
}

/** The core's sentence tells a script which option to set; here the control is right beside it. */
function dateOrderQuestion(choices: readonly string[]): string {
  return (
    `The dates could be ${choices.map((format) => `"${format}"`).join(' or ')}: no day in the file is above 12, ` +
    'so it cannot tell whether the day or the month comes first. Choose the order the file uses.'
  );
}

interface MappingControlsProps {
  reading: FileReading;
  /** The parts of the mapping the user changed; the rest is what detection found. */
  edits: CsvMapping;
  onEdit(edits: CsvMapping): void;
}

/**
 * How the file is read, as detection found it, every part editable. A change only records
 * the edited part, so the parts left alone are detected again around it.
 */
export function MappingControls({ reading, edits, onEdit }: MappingControlsProps) {
  const { mapping, columnCount, dateFormatChoices } = reading;
  const dateQuestion = reading.questions.find((question) => question.option === 'dateFormat');
  // An undecided date order, or a file whose dates were not found, shows no answer until the user gives one.
  const dateFormat = edits.dateFormat ?? (dateQuestion ? '' : (mapping.dateFormat ?? ''));
  const otherFormats = dateFormats.filter((format) => !dateFormatChoices.includes(format));
  const columnOf = (field: ColumnField) => {
    // An edit of null ("not in the file") overrides what detection found.
    const ref = edits[field] !== undefined ? edits[field] : mapping[field];
    return typeof ref === 'number' ? ref : null;
  };

  return (
    <fieldset className="import__mapping" data-testid="import-mapping">
      <legend>How the file is read</legend>
      <div className="form-grid import__mapping-grid">
        <label htmlFor="import-delimiter">Delimiter</label>
        <select
          id="import-delimiter"
          value={edits.delimiter ?? mapping.delimiter}
          onChange={(event) => onEdit({ ...withoutColumns(edits), delimiter: event.target.value as NonNullable<CsvMapping['delimiter']> })}
          data-testid="import-delimiter"
        >
          {delimiters.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>

        <label htmlFor="import-has-header">Header row</label>
        <label className="choice">
          <input
            id="import-has-header"
            type="checkbox"
            checked={edits.hasHeader ?? mapping.hasHeader ?? false}
            onChange={(event) => onEdit({ ...edits, hasHeader: event.target.checked })}
            data-testid="import-has-header"
          />
          the first row names the columns
        </label>

        <label htmlFor="import-decimal">Decimals</label>
        <select
          id="import-decimal"
          value={edits.decimalSeparator ?? mapping.decimalSeparator ?? '.'}
          onChange={(event) => onEdit({ ...edits, decimalSeparator: event.target.value as NonNullable<CsvMapping['decimalSeparator']> })}
          data-testid="import-decimal"
        >
          <option value=".">point: 1234.56</option>
          <option value=",">comma: 1234,56</option>
        </select>

        <label htmlFor="import-utc-offset">Time zone</label>
        <div className="import__control">
          <select
            id="import-utc-offset"
            value={edits.utcOffsetMinutes ?? mapping.utcOffsetMinutes ?? 0}
            aria-describedby="import-utc-offset-hint"
            onChange={(event) => onEdit({ ...edits, utcOffsetMinutes: Number(event.target.value) })}
            data-testid="import-utc-offset"
          >
            {utcOffsets.map((minutes) => (
              <option key={minutes} value={minutes}>
                {formatUtcOffset(minutes)}
              </option>
            ))}
          </select>
          <p id="import-utc-offset-hint" className="muted import__hint">
            The zone of times written without one (local-time exports). Epochs and times with a zone are not shifted.
          </p>
        </div>

        <label htmlFor="import-date-format">Date format</label>
        <div className="import__control import__control--wide">
          <select
            id="import-date-format"
            value={dateFormat}
            {...questionAttributes('import-question-dateFormat', dateQuestion)}
            onChange={(event) => onEdit({ ...edits, dateFormat: event.target.value as DateFormat })}
            data-testid="import-date-format"
          >
            {dateFormat === '' && (
              <option value="" disabled>
                {dateQuestion ? 'Choose the order of day and month…' : 'Choose the format of the dates…'}
              </option>
            )}
            {dateFormatChoices.length > 0 && (
              <optgroup label="Fits the file">
                {dateFormatChoices.map((format) => (
                  <option key={format} value={format}>
                    {format}
                  </option>
                ))}
              </optgroup>
            )}
            <optgroup label="Other formats">
              {otherFormats.map((format) => (
                <option key={format} value={format}>
                  {format}
                </option>
              ))}
            </optgroup>
          </select>
          <QuestionHint id="import-question-dateFormat" question={dateQuestion} />
        </div>

        {columnFields.map(({ field, label, optional }) => {
          const column = columnOf(field);
          const id = `import-column-${field}`;
          return [
            <label key={`${field}-label`} htmlFor={id}>
              {label}
            </label>,
            <select
              key={field}
              id={id}
              value={column ?? ''}
              onChange={(event) => onEdit({ ...edits, [field]: event.target.value === '' ? null : Number(event.target.value) })}
              data-testid={id}
            >
              {optional ? (
                <option value="">not in the file</option>
              ) : (
                column === null && (
                  <option value="" disabled>
                    Choose a column…
                  </option>
                )
              )}
              {Array.from({ length: columnCount }, (_, index) => (
                <option key={index} value={index}>
                  {columnLabel(reading, index)}
                </option>
              ))}
            </select>,
          ];
        })}

      </div>
    </fieldset>
  );
}

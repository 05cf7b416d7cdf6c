import { useEffect, useRef, useState } from 'react';
import type { MethodInput, MethodOutput } from '../../../../shared/contract';
import { csvFileShapeSchema, type CsvFileShape, type CsvSource } from '../../../../shared/domain';
import { ApiError, describeError } from '../../api/api-error';
import { call } from '../../api/client';

export type Preview = MethodOutput<'import.preview'>;

/** Long enough to let a run of keystrokes or arrow presses through a select settle into one file read. */
const SETTLE_MS = 300;

export interface LivePreview {
  /** The newest reply received; kept while a newer request runs or after one fails, so the mapping stays editable. */
  preview: Preview | null;
  /** True while a request newer than `preview` is waiting or running: the preview does not show the controls yet. */
  pending: boolean;
  /** The newest request's failure as a sentence; null while a newer one runs. */
  error: string | null;
  /**
   * How the file splits into columns, from a failure that could not find the date or close
   * column; kept while a newer request runs, so the columns can be mapped by hand before any preview succeeded.
   */
  fileShape: CsvFileShape | null;
  /** Reads the file again now, e.g. after it was changed on disk. */
  readAgain(): void;
}

/**
 * Previews an import whenever its input changes, after the input has settled. Only the newest
 * request may land: a slow reply for an earlier mapping never overwrites a newer one. The
 * source is compared by identity, not serialised: an uploaded file's text can be megabytes.
 */
export function useLivePreview(input: MethodInput<'import.preview'> | null): LivePreview {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fileShape, setFileShape] = useState<CsvFileShape | null>(null);
  const [generation, setGeneration] = useState(0);
  const latestRequest = useRef(0);
  const previewedSource = useRef<CsvSource | null>(null);

  const source = input?.source ?? null;
  // Everything but the source, which JSON leaves out as undefined.
  const optionsKey = JSON.stringify({ ...input, source: undefined });

  useEffect(() => {
    const request = ++latestRequest.current;
    const sameFile = source === previewedSource.current;
    previewedSource.current = source;
    // Another file's preview says nothing about this one.
    if (!sameFile) {
      setPreview(null);
      setFileShape(null);
    }
    setError(null);
    if (source === null) {
      setPending(false);
      return;
    }
    setPending(true);
    // A new file is read at once; edits of its mapping wait until they settle.
    const timer = setTimeout(
      () => {
        const settled = { ...(JSON.parse(optionsKey) as Omit<MethodInput<'import.preview'>, 'source'>), source };
        call('import.preview', settled).then(
          (reply) => {
            if (request !== latestRequest.current) return;
            setPreview(reply);
            setFileShape(null);
            setPending(false);
          },
          (failure: unknown) => {
            if (request !== latestRequest.current) return;
            setError(describeError(failure));
            const shape = failure instanceof ApiError ? csvFileShapeSchema.safeParse(failure.details) : null;
            setFileShape(shape?.success ? shape.data : null);
            setPending(false);
          },
        );
      },
      sameFile ? SETTLE_MS : 0,
    );
    return () => clearTimeout(timer);
  }, [source, optionsKey, generation]);

  return { preview, pending, error, fileShape, readAgain: () => setGeneration((g) => g + 1) };
}

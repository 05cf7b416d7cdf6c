import { describeError } from '../api/api-error';

/** A screen that could not load what it shows: the reason in a sentence, and a way to try again. */
export function LoadError({ error, onRetry, testId }: { error: unknown; onRetry(): void; testId?: string }) {
  return (
    <section className="screen screen--centred" data-testid={testId}>
      <p className="error-text" role="alert">
        {describeError(error)}
      </p>
      <button type="button" className="button" onClick={onRetry}>
        Try again
      </button>
    </section>
  );
}

/** Why a list could not be read, above whatever of it is still shown; nothing while it reads fine. */
export function QueryError({ error }: { error: unknown }) {
  return error === null ? null : (
    <p className="error-text" role="alert">
      {describeError(error)}
    </p>
  );
}

import type { ReactNode } from 'react';

/** A field's validation message, referenced by the field's aria-describedby; renders nothing when there is none. */
function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  ) : null;
}

/** One row of a Data form: the label, then the control, its hint and its validation message (`<id>-error`). */
export function FormField({ id, label, error, children, hint }: { id: string; label: string; error?: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div>
        {children}
        {hint}
        <FieldError id={`${id}-error`} message={error} />
      </div>
    </>
  );
}

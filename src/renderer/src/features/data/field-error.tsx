/** A field's validation message, referenced by the field's aria-describedby; renders nothing when there is none. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  ) : null;
}

import { useEffect, useRef } from 'react';

/** A ref for a <dialog> that opens it as a modal when it mounts; Escape and the form's buttons close it. */
export function useModal() {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return ref;
}

import { useEffect, useState } from 'react';
import { timeframes } from '../../../shared/timeframes';
import { LAYOUT_SHORTCUT_KEY, isEditableTarget, timeframeShortcutKey } from '../features/markets/shortcuts';
import { useModal } from '../ui/use-modal';

interface Shortcut {
  keys: string;
  does: string;
}

/** Every shortcut of the app, by where it works; the keys are the ones the screens really handle. */
const groups: ReadonlyArray<{ title: string; shortcuts: readonly Shortcut[] }> = [
  {
    title: 'Anywhere',
    shortcuts: [{ keys: '?', does: 'Show this list' }],
  },
  {
    title: 'Markets',
    shortcuts: [
      {
        keys: `${timeframeShortcutKey(timeframes[0])}–${timeframeShortcutKey(timeframes.at(-1)!)}`,
        does: `Timeframe ${timeframes.map((timeframe) => `${timeframeShortcutKey(timeframe)} = ${timeframe}`).join(', ')}`,
      },
      { keys: '/', does: 'Search instruments' },
      { keys: LAYOUT_SHORTCUT_KEY, does: 'One, two or four charts in the window; a click on a chart makes it the one the list and tools act on' },
      { keys: '↑ ↓', does: 'Move through the search results' },
      { keys: 'Enter', does: 'Open the highlighted instrument' },
      { keys: 'Esc', does: 'Leave the search' },
    ],
  },
  {
    title: 'Charts',
    shortcuts: [
      { keys: 'Drag', does: 'Scroll through history' },
      { keys: 'Wheel', does: 'Zoom the time axis' },
      { keys: 'Drag an axis', does: 'Stretch prices or time' },
      { keys: 'Double-click an axis', does: 'Fit it again' },
      { keys: 'Shift', does: 'Held while drawing or moving a drawing: snap to the nearest open, high, low or close' },
      { keys: 'Delete', does: 'Delete the selected drawing' },
      { keys: 'Ctrl+Z / ⌘Z', does: 'Undo the last drawing change' },
      { keys: 'Esc', does: 'Put the drawing tool down, or deselect' },
    ],
  },
];

function ShortcutDialog({ onClose }: { onClose(): void }) {
  const dialogRef = useModal();
  return (
    <dialog ref={dialogRef} className="dialog dialog--narrow" aria-labelledby="shortcut-help-title" onClose={onClose} data-testid="shortcut-help">
      <header className="dialog__header">
        <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
        <button type="button" className="button button--ghost" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      <div className="dialog__body shortcut-help">
        {groups.map((group) => (
          <section key={group.title}>
            <h3>{group.title}</h3>
            <dl>
              {group.shortcuts.map((shortcut) => (
                <div key={shortcut.keys} className="shortcut-help__row">
                  <dt>
                    <kbd>{shortcut.keys}</kbd>
                  </dt>
                  <dd>{shortcut.does}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </dialog>
  );
}

/** `?` anywhere outside a text field opens the list of shortcuts; Escape or ✕ closes it. */
export function ShortcutHelp() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      if (event.key !== '?' || event.ctrlKey || event.metaKey || event.altKey || isEditableTarget(event.target)) return;
      event.preventDefault();
      setOpen(true);
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
  return open ? <ShortcutDialog onClose={() => setOpen(false)} /> : null;
}

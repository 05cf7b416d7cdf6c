import { useState } from 'react';
import { drawingKindNames, drawingKinds, MAX_NOTE_LENGTH, type DrawingKind } from '../../../../shared/drawing-kinds';
import type { DrawingsOnChart, NoteEdit } from './use-drawings';

const toolLabels: Record<DrawingKind, string> = {
  horizontalLine: 'H-line',
  trendLine: 'Trend',
  ray: 'Ray',
  rectangle: 'Rect',
  fibRetracement: 'Fib',
  text: 'Note',
};

const howToPlace: Record<DrawingKind, string> = {
  horizontalLine: 'click a price',
  trendLine: 'click its two ends (or drag from one to the other)',
  ray: 'click where it starts and a point it passes through',
  rectangle: 'click two opposite corners',
  fibRetracement: 'click the start of the move, then its end',
  text: 'click where the note goes, then type it',
};

/** The drawing tools in the chart toolbar, with delete and undo for what they drew. */
export function DrawingTools({ drawings }: { drawings: DrawingsOnChart }) {
  return (
    <div className="drawing-tools" role="group" aria-label="Drawing tools">
      <span className="chart-toolbar__divider" aria-hidden="true" />
      {drawingKinds.map((kind) => (
        <button
          key={kind}
          type="button"
          className="button button--tool"
          aria-pressed={drawings.tool === kind}
          title={`Draw a ${drawingKindNames[kind]}: ${howToPlace[kind]}. Hold Shift to snap to the nearest open, high, low or close; Esc cancels.`}
          data-testid={`draw-${kind}`}
          onClick={() => drawings.setTool(drawings.tool === kind ? null : kind)}
        >
          {toolLabels[kind]}
        </button>
      ))}
      <button
        type="button"
        className="button button--tool"
        disabled={drawings.selectedId === null}
        title="Delete the selected drawing (Delete)"
        data-testid="drawing-delete"
        onClick={drawings.deleteSelected}
      >
        Delete
      </button>
      <button type="button" className="button button--tool" disabled={!drawings.canUndo} title="Undo the last drawing change (Ctrl+Z, ⌘Z on a Mac)" data-testid="drawing-undo" onClick={drawings.undo}>
        Undo
      </button>
    </div>
  );
}

/** Writing a text note: Enter saves, Escape leaves it unwritten (or unchanged). Keyed by the note, so each starts from its own text. */
export function DrawingNoteEditor({ note, onSave, onCancel }: { note: NoteEdit; onSave(text: string): void; onCancel(): void }) {
  const [text, setText] = useState(note.text);
  return (
    <form
      className="drawing-note-editor"
      data-testid="drawing-note-editor"
      onSubmit={(event) => {
        event.preventDefault();
        onSave(text);
      }}
    >
      <input
        autoFocus
        aria-label="Note text"
        value={text}
        maxLength={MAX_NOTE_LENGTH}
        placeholder="What happened here?"
        data-testid="drawing-note-text"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
        }}
      />
      <button type="submit" className="button button--small button--primary" disabled={text.trim() === ''}>
        {note.id === undefined ? 'Add note' : 'Save'}
      </button>
      <button type="button" className="button button--small" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { Drawing, DrawingPoint } from '../../../../shared/drawings';
import { describeError } from '../../api/api-error';
import { call } from '../../api/client';
import { useApiEvent, useApiQuery } from '../../api/hooks';
import type { ChartDrawingEvents, DrawingDraft, DrawingTool } from '../../charts/chart-drawings';
import { isEditableTarget } from './shortcuts';

/** How to take back one change: delete what was created, put back what was moved or deleted. */
type UndoStep = { kind: 'created'; id: string } | { kind: 'changed'; id: string; points: DrawingPoint[]; text: string | null } | { kind: 'deleted'; drawing: Drawing };

/** Changes kept for Ctrl/Cmd+Z per instrument; older ones drop off. */
const UNDO_DEPTH = 100;

/** The note being written: a new one at `point`, or an existing one by id. */
export type NoteEdit = { point: DrawingPoint; id?: undefined; text: string } | { id: string; text: string };

export interface DrawingsOnChart {
  drawings: readonly Drawing[];
  tool: DrawingTool;
  setTool(tool: DrawingTool): void;
  selectedId: string | null;
  events: ChartDrawingEvents;
  note: NoteEdit | null;
  saveNote(text: string): void;
  cancelNote(): void;
  deleteSelected(): void;
  undo(): void;
  canUndo: boolean;
  error: string | null;
}

/** Ctrl+Z, or Cmd+Z on a Mac; never with Shift, which is redo elsewhere. */
function isUndoKey(event: KeyboardEvent): boolean {
  return (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === 'z';
}

/**
 * One instrument's drawings and what the chart does with them: the tool in hand, the selected
 * drawing, create / move / delete through the API, and an undo list of those changes. Shared
 * across timeframes because they are stored per symbol. Keys: Delete or Backspace deletes the
 * selected drawing, Escape drops the tool or the selection, Ctrl/Cmd+Z undoes. `active`: whether
 * this chart takes those keys; in a layout only the active chart does.
 */
export function useDrawings(symbol: string | undefined, active = true): DrawingsOnChart {
  const query = useApiQuery('drawings.list', symbol ? { symbol } : null);
  const [held, setHeld] = useState<{ symbol: string; drawings: readonly Drawing[] } | null>(null);
  const [tool, setToolState] = useState<DrawingTool>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [note, setNote] = useState<NoteEdit | null>(null);
  const [error, setError] = useState<string | null>(null);
  const undoSteps = useRef(new Map<string, UndoStep[]>());
  const [undoCount, setUndoCount] = useState(0);

  useEffect(() => {
    if (query.data && symbol) setHeld({ symbol, drawings: query.data.drawings });
  }, [query.data, symbol]);
  useEffect(() => {
    setSelectedId(null);
    setNote(null);
    setUndoCount(symbol ? (undoSteps.current.get(symbol)?.length ?? 0) : 0);
  }, [symbol]);
  // Another window, or another chart of this one, changed them.
  useApiEvent('drawings.changed', (change) => {
    if (change.symbol === symbol) query.reload();
  });

  const drawings = held && held.symbol === symbol ? held.drawings : [];
  const replace = (id: string, next: Drawing | null) =>
    setHeld((current) => current && { ...current, drawings: next ? current.drawings.map((d) => (d.id === id ? next : d)) : current.drawings.filter((d) => d.id !== id) });
  const add = (drawing: Drawing) => setHeld((current) => current && current.symbol === drawing.symbol ? { ...current, drawings: [...current.drawings, drawing] } : current);

  const steps = (): UndoStep[] => {
    if (!symbol) return [];
    let list = undoSteps.current.get(symbol);
    if (!list) undoSteps.current.set(symbol, (list = []));
    return list;
  };
  const remember = (step: UndoStep) => {
    const list = steps();
    list.push(step);
    if (list.length > UNDO_DEPTH) list.shift();
    setUndoCount(list.length);
  };

  /** Runs a change; a failure is shown, and the list read again so the chart shows what is stored. */
  const change = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    setError(null);
    try {
      return await work();
    } catch (failure) {
      setError(describeError(failure));
      query.reload();
      return undefined;
    }
  };

  const create = async (draft: DrawingDraft & { text?: string }) => {
    if (!symbol) return;
    const created = await change(() => call('drawings.create', { symbol, kind: draft.kind, points: draft.points, text: draft.text ?? null }));
    if (!created) return;
    add(created);
    setSelectedId(created.id);
    remember({ kind: 'created', id: created.id });
  };

  const edit = async (id: string, changes: { points?: DrawingPoint[]; text?: string }, undoable = true) => {
    const current = drawings.find((d) => d.id === id);
    if (!current) return;
    const updated = await change(() => call('drawings.update', { id, version: current.version, ...changes }));
    if (!updated) return;
    replace(id, updated);
    if (undoable) remember({ kind: 'changed', id, points: current.points, text: current.text });
  };

  const remove = async (id: string) => {
    const current = drawings.find((d) => d.id === id);
    if (!current) return;
    const done = await change(() => call('drawings.delete', { id }));
    if (!done) return;
    replace(id, null);
    if (selectedId === id) setSelectedId(null);
    remember({ kind: 'deleted', drawing: current });
  };

  const undo = async () => {
    const step = steps().pop();
    setUndoCount(steps().length);
    if (!step) return;
    if (step.kind === 'created') {
      if (await change(() => call('drawings.delete', { id: step.id }))) replace(step.id, null);
      return;
    }
    if (step.kind === 'changed') {
      await edit(step.id, { points: step.points, ...(step.text === null ? {} : { text: step.text }) }, false);
      return;
    }
    const { kind, points, text } = step.drawing;
    const restored = await change(() => call('drawings.create', { symbol: step.drawing.symbol, kind, points, text }));
    if (!restored) return;
    add(restored);
    // Earlier steps name the drawing by the id it had before it was deleted.
    for (const earlier of steps()) if ('id' in earlier && earlier.id === step.drawing.id) earlier.id = restored.id;
  };

  const setTool = (next: DrawingTool) => {
    setToolState(next);
    if (next !== null) setSelectedId(null);
  };

  const onKeyDown = useEffectEvent((event: KeyboardEvent) => {
    // Typing in a field, or a dialog open over the chart, keeps its keys.
    if (!symbol || isEditableTarget(event.target) || (event.target instanceof Element && event.target.closest('dialog'))) return;
    if (isUndoKey(event)) {
      event.preventDefault();
      void undo();
    } else if ((event.key === 'Delete' || event.key === 'Backspace') && selectedId !== null) {
      event.preventDefault();
      void remove(selectedId);
    } else if (event.key === 'Escape' && (tool !== null || selectedId !== null)) {
      setTool(null);
      setSelectedId(null);
    }
  });
  // Only the active chart listens: a 4-chart layout holds one listener, not four that mostly return.
  useEffect(() => {
    if (!active) return;
    const listener = (event: KeyboardEvent) => onKeyDown(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, [active]);

  const events: ChartDrawingEvents = {
    onCreate: (draft) => {
      // One drawing per pick of a tool, as in other charting apps; the next needs the tool again.
      setToolState(null);
      if (draft.kind === 'text') setNote({ point: draft.points[0]!, text: '' });
      else void create(draft);
    },
    onMove: (id, points) => void edit(id, { points }),
    onSelect: setSelectedId,
    onEditText: (id) => {
      const drawing = drawings.find((d) => d.id === id);
      if (drawing?.text) setNote({ id, text: drawing.text });
    },
  };

  return {
    drawings,
    tool,
    setTool,
    selectedId,
    events,
    note,
    saveNote: (text) => {
      const editing = note;
      setNote(null);
      if (!editing || text.trim() === '') return;
      if (editing.id === undefined) void create({ kind: 'text', points: [editing.point], text });
      else if (text !== editing.text) void edit(editing.id, { text });
    },
    cancelNote: () => setNote(null),
    deleteSelected: () => {
      if (selectedId !== null) void remove(selectedId);
    },
    undo: () => void undo(),
    canUndo: undoCount > 0,
    error: error ?? (query.error !== null ? `The drawings could not be read. ${describeError(query.error)}` : null),
  };
}

/**
 * Chart drawings as they cross the contract: lines, boxes, Fibonacci retracements and notes a
 * trader puts on one instrument's chart. Their points are (time, price) pairs in UTC epoch ms,
 * not bar indices, so one drawing shows on every timeframe of the instrument.
 *
 * Every write carries the `version` it was based on: an edit made from a stale copy (another
 * window moved the drawing meanwhile) is refused rather than silently undoing the other edit.
 */
import { z } from 'zod';
import { epochMsSchema, symbolSchema } from './domain';
import { drawingKindNames, drawingKinds, drawingPointCounts, MAX_NOTE_LENGTH, type DrawingKind } from './drawing-kinds';

export const drawingKindSchema = z.enum(drawingKinds, { error: `a drawing is one of ${drawingKinds.join(', ')}` });

export const drawingPointSchema = z
  .object({
    /** UTC epoch ms; between bars on a coarser timeframe it lies inside the bar that holds it. */
    time: z.number({ error: 'a drawing point needs a time in whole epoch milliseconds' }).int('a drawing point needs a time in whole epoch milliseconds').pipe(epochMsSchema),
    price: z.number({ error: 'a drawing point needs a finite price' }).finite('a drawing point needs a finite price'),
  })
  .strict();
export type DrawingPoint = z.infer<typeof drawingPointSchema>;


const noteTextSchema = z.string().trim().min(1, 'a text note needs some text').max(MAX_NOTE_LENGTH, `a text note is ${MAX_NOTE_LENGTH} characters or fewer`);

/** The geometry of a drawing: its kind, the right number of points and, for a note, its text. */
const drawingShapeFields = {
  kind: drawingKindSchema,
  points: z.array(drawingPointSchema).min(1, 'a drawing has 1 or 2 points').max(2, 'a drawing has 1 or 2 points'),
  text: noteTextSchema.nullable().default(null),
};

/** The problem with `points` and `text` for `kind`, in a sentence, or null when they fit. */
export function drawingShapeProblem(kind: DrawingKind, points: readonly DrawingPoint[], text: string | null): { path: string; message: string } | null {
  const count = drawingPointCounts[kind];
  if (points.length !== count) return { path: 'points', message: `a ${drawingKindNames[kind]} has ${count} point${count === 1 ? '' : 's'}, not ${points.length}` };
  if (kind === 'text' && text === null) return { path: 'text', message: 'a text note needs some text' };
  if (kind !== 'text' && text !== null) return { path: 'text', message: `only a text note has text, not a ${drawingKindNames[kind]}` };
  return null;
}

export const drawingSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  kind: drawingKindSchema,
  points: z.array(drawingPointSchema),
  text: z.string().nullable(),
  /** Counts the drawing's writes; an update names the one it was based on. */
  version: z.number().int(),
  createdAt: epochMsSchema,
  updatedAt: epochMsSchema,
});
export type Drawing = z.infer<typeof drawingSchema>;

export const drawingMethods = {
  /** One instrument's drawings, oldest first (later ones draw on top). */
  'drawings.list': {
    input: z.object({ symbol: symbolSchema }).strict(),
    output: z.object({ drawings: z.array(drawingSchema) }),
  },
  /** A new drawing on `symbol`'s chart, at version 0. */
  'drawings.create': {
    input: z
      .object({ symbol: symbolSchema, ...drawingShapeFields })
      .strict()
      .superRefine((input, ctx) => {
        // A wrong number of points is already reported by the array's own bounds.
        if (input.points.length < 1 || input.points.length > 2) return;
        const problem = drawingShapeProblem(input.kind, input.points, input.text);
        if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
      }),
    output: drawingSchema,
  },
  /**
   * Moves a drawing or changes a note's text; its kind stays. Refused with CONFLICT when the
   * drawing has been written since `version` (read it again and retry).
   */
  'drawings.update': {
    input: z
      .object({
        id: z.string().min(1),
        version: z.number().int().min(0),
        points: drawingShapeFields.points.optional(),
        text: noteTextSchema.nullable().optional(),
      })
      .strict()
      .refine((input) => input.points !== undefined || input.text !== undefined, { message: 'give the new `points` or `text`' }),
    output: drawingSchema,
  },
  'drawings.delete': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ id: z.string(), deleted: z.boolean() }),
  },
} as const;

export const drawingEvents = {
  /** A drawing was created, moved or deleted (by this window or another client of the same core); charts of `symbol` read them again. */
  'drawings.changed': z.object({ symbol: z.string(), id: z.string(), change: z.enum(['created', 'updated', 'deleted']) }),
} as const;

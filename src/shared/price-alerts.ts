/**
 * Price alerts as they cross the contract: a condition on one instrument's bars, evaluated by
 * the core on every new bar it stores; a firing is an ordinary alert (`alerts.list`, the
 * `alert.raised` event) whose source is `priceAlert:<id>`.
 *
 * Every condition compares a value with a threshold on each bar's close, and is "beyond" once
 * the value reaches it. An alert fires when a bar takes it from not beyond to beyond (a gap
 * over the level counts), once, and fires again only after its rearm rule lets it.
 */
import { z } from 'zod';
import { epochMsSchema, symbolSchema } from './domain';
import { timeframeSchema } from './timeframe-schema';

/** The source of the alerts a price alert raises, by which the list links back to it. */
export const priceAlertSource = (id: string): string => `priceAlert:${id}`;

const finitePrice = z.number().finite().positive('the price must be above 0');

/** A one-line indicator computed by the app's own indicator code, with the shape `indicators.query` uses. */
export const alertIndicatorSchema = z
  .object({
    kind: z.enum(['sma', 'ema', 'wma', 'rsi']),
    params: z.object({ period: z.number().int().min(2, 'the period must be 2 bars or more').max(1000, 'the period must be 1000 bars or fewer') }).strict(),
  })
  .strict();
export type AlertIndicator = z.infer<typeof alertIndicatorSchema>;

export const priceAlertConditionSchema = z.discriminatedUnion('kind', [
  /** The close reaches `price` from below (crossAbove) or from above (crossBelow). */
  z.object({ kind: z.enum(['crossAbove', 'crossBelow']), price: finitePrice }).strict(),
  /**
   * The close has moved `percent` or more against the lowest (up) or highest (down) close of
   * the `bars` bars before it: "3% within 60 bars" on the alert's timeframe.
   */
  z
    .object({
      kind: z.literal('percentMove'),
      percent: z.number().positive('the move must be above 0%').max(1000),
      bars: z.number().int().min(1, 'the window is 1 bar or more').max(1000, 'the window is 1000 bars or fewer'),
      direction: z.enum(['up', 'down', 'either']).default('either'),
    })
    .strict(),
  /** An indicator reaches `level` from below (above) or from above (below): RSI 14 above 70. */
  z.object({ kind: z.literal('indicatorLevel'), indicator: alertIndicatorSchema, direction: z.enum(['above', 'below']), level: z.number().finite() }).strict(),
  /** `fast` crosses `slow` upwards (above) or downwards (below): SMA 50 over SMA 200. */
  z
    .object({ kind: z.literal('indicatorCross'), fast: alertIndicatorSchema, slow: alertIndicatorSchema, direction: z.enum(['above', 'below']) })
    .strict()
    .refine((c) => JSON.stringify(c.fast) !== JSON.stringify(c.slow), { message: 'the two indicators are the same; choose two that can cross', path: ['slow'] }),
], { error: 'a condition is crossAbove or crossBelow (with a price), percentMove, indicatorLevel or indicatorCross' });
export type PriceAlertCondition = z.infer<typeof priceAlertConditionSchema>;

/**
 * When a fired alert may fire again; in every case only at a new crossing, never while the
 * price stays beyond the level.
 * - recross: once the value is back on the other side by `hysteresis` or more, in the units it
 *   compares (price for price levels, indicator points, percentage points for a move, the price
 *   gap between the two indicators for a cross); 0 rearms at every crossing back.
 * - cooldown: once `minutes` have passed since it fired.
 * - once: never; the alert disables itself when it fires.
 */
export const priceAlertRearmSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('recross'), hysteresis: z.number().finite().min(0, 'the hysteresis cannot be negative').default(0) }).strict(),
  z.object({ kind: z.literal('cooldown'), minutes: z.number().int().min(1, 'the cooldown is 1 minute or more').max(525_600, 'the cooldown is a year or less') }).strict(),
  z.object({ kind: z.literal('once') }).strict(),
], { error: 'a rearm rule is recross (with a hysteresis), cooldown (with minutes) or once' });
export type PriceAlertRearm = z.infer<typeof priceAlertRearmSchema>;
export const defaultRearm: PriceAlertRearm = { kind: 'recross', hysteresis: 0 };

/**
 * - waiting: not enough bars yet to know which side of the level the value is on;
 * - armed: the next crossing fires;
 * - fired: it fired and waits for its rearm rule.
 */
export const priceAlertStateSchema = z.enum(['waiting', 'armed', 'fired']);
export type PriceAlertState = z.infer<typeof priceAlertStateSchema>;

export const priceAlertSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  timeframe: timeframeSchema,
  condition: priceAlertConditionSchema,
  rearm: priceAlertRearmSchema,
  enabled: z.boolean(),
  note: z.string().nullable(),
  state: priceAlertStateSchema,
  /** Whether the value was beyond the level at the last bar evaluated; null while waiting. */
  beyond: z.boolean().nullable(),
  /** Open time of the newest bar evaluated; later bars are the new ones. */
  lastBarTime: epochMsSchema.nullable(),
  lastFiredAt: epochMsSchema.nullable(),
  createdAt: epochMsSchema,
  updatedAt: epochMsSchema,
});
export type PriceAlert = z.infer<typeof priceAlertSchema>;

const noteSchema = z.string().trim().max(200, 'a note is 200 characters or fewer');

export const priceAlertMethods = {
  /** Oldest first; with `symbol`, that instrument's only. */
  'priceAlerts.list': {
    input: z.object({ symbol: symbolSchema.optional() }).strict().default({}),
    output: z.object({ priceAlerts: z.array(priceAlertSchema) }),
  },
  /**
   * Creates an alert, armed from the newest stored bar: a price already beyond the level does
   * not fire until it has come back and crossed again. `timeframe` defaults to the finest one
   * the instrument has stored (1d when it has none), so it reacts to every new bar.
   */
  'priceAlerts.create': {
    input: z
      .object({
        symbol: symbolSchema,
        condition: priceAlertConditionSchema,
        timeframe: timeframeSchema.optional(),
        rearm: priceAlertRearmSchema.default(defaultRearm),
        enabled: z.boolean().default(true),
        note: noteSchema.optional(),
      })
      .strict(),
    output: priceAlertSchema,
  },
  /** Changes what is given; a new condition, timeframe or re-enabling arms it afresh from the newest bar. */
  'priceAlerts.update': {
    input: z
      .object({
        id: z.string().min(1),
        condition: priceAlertConditionSchema.optional(),
        timeframe: timeframeSchema.optional(),
        rearm: priceAlertRearmSchema.optional(),
        enabled: z.boolean().optional(),
        note: noteSchema.nullable().optional(),
      })
      .strict(),
    output: priceAlertSchema,
  },
  /** The alerts it raised stay in `alerts.list`. */
  'priceAlerts.delete': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ id: z.string(), deleted: z.boolean() }),
  },
} as const;

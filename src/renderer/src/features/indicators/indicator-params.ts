import { indicatorSpecSchema, type IndicatorKind, type IndicatorSpec } from '../../../../shared/indicators';
import { indicatorCatalog } from '../../charts/indicator-catalog';

export type ParamsCheck = { ok: true; spec: IndicatorSpec } | { ok: false; message: string };

/**
 * Checks params typed into the menu: each field against its range first, for a message that
 * names the field, then the whole spec against the contract's schema (MACD fast < slow), so
 * the server never refuses what the menu accepted.
 */
export function checkIndicatorParams(kind: IndicatorKind, params: Readonly<Record<string, number>>): ParamsCheck {
  for (const field of indicatorCatalog[kind].fields) {
    const value = params[field.name];
    if (value === undefined || !Number.isFinite(value)) return { ok: false, message: `${field.label} needs a number.` };
    if (value < field.min || value > field.max) return { ok: false, message: `${field.label} must be between ${field.min} and ${field.max}.` };
    if (Number.isInteger(field.step) && !Number.isInteger(value)) return { ok: false, message: `${field.label} must be a whole number.` };
  }
  const parsed = indicatorSpecSchema.safeParse({ kind, params });
  if (parsed.success) return { ok: true, spec: parsed.data };
  const reason = parsed.error.issues[0]?.message ?? 'these values are not accepted';
  return { ok: false, message: `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.` };
}

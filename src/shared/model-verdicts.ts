/**
 * What a model may honestly be called, without zod (the registry's schemas are in models.ts):
 * the chart on the first screen names a forecast's verdict, and zod would add about 90 KB to
 * its first load.
 */
import type { ModelMetrics, ModelType } from './models';

/**
 * Live rows below which PSI is not judged: with B bins and n live rows the index of two samples
 * of the SAME distribution is about (B − 1)/n, so ten rows read as a 0.9 "shift" and only from
 * about a hundred does noise stay clear of 0.2.
 */
export const PSI_MIN_SAMPLES = 100;

/** The significance below which a model may be called better than naive. */
export const SKILL_PVALUE = 0.05;

/** What a model may honestly be called against naive. */
export type SkillVerdict = 'better' | 'worse' | 'no_evidence' | 'baseline';

export function skillVerdict(modelType: ModelType, metrics: Pick<ModelMetrics, 'dm_pvalue' | 'rel_mae'>): SkillVerdict {
  if (modelType === 'naive') return 'baseline';
  if (metrics.dm_pvalue !== null && metrics.dm_pvalue < SKILL_PVALUE) return 'better';
  if (metrics.rel_mae !== null && metrics.rel_mae > 1 && metrics.dm_pvalue !== null && 1 - metrics.dm_pvalue < SKILL_PVALUE) return 'worse';
  return 'no_evidence';
}

export function skillSentence(verdict: SkillVerdict): string {
  switch (verdict) {
    case 'better':
      return `better than naive (Diebold–Mariano p < ${SKILL_PVALUE})`;
    case 'worse':
      return 'worse than naive';
    case 'baseline':
      return 'the naive baseline';
    case 'no_evidence':
      return 'no evidence of skill over naive';
  }
}

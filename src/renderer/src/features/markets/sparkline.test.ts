import { describe, expect, it } from 'vitest';
import { sparklineGeometry } from './sparkline';

describe('sparklineGeometry', () => {
  it('spreads closes across the box with the highest at the top', () => {
    expect(sparklineGeometry([10, 20, 15], null)).toEqual({ points: '0,22.5 50,1.5 100,12', referenceY: null });
  });

  it('marks the previous close when it lies within the drawn range', () => {
    expect(sparklineGeometry([10, 20], 15).referenceY).toBe(12);
    expect(sparklineGeometry([10, 20], 25).referenceY).toBeNull();
  });

  it('draws a flat or single close as a level line at mid-height', () => {
    expect(sparklineGeometry([5, 5], 5)).toEqual({ points: '0,12 100,12', referenceY: 12 });
    expect(sparklineGeometry([7], null).points).toBe('0,12 100,12');
  });
});

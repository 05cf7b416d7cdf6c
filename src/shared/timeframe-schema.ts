import { z } from 'zod';
import { timeframes } from './choices';

export const timeframeSchema = z.enum(timeframes);

import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopFigures {
  /** Longest delay a timer saw: what a user of the app feels. */
  maxDelayMs: number;
  p99DelayMs: number;
  /**
   * Longest CPU time the main thread spent between two turns of the event loop: the part
   * of a delay that is our own work (and garbage collection), not the operating system
   * keeping the thread waiting for a core on a busy machine. Null where the kernel does
   * not report it (outside Linux).
   */
  maxOnCpuMs: number | null;
}

/** Time the calling thread has run on a CPU, in ms (Linux schedstat), or null. */
function threadCpuMs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

/** Watches this process's event loop from now until `stop`. */
export function watchEventLoop(): { stop(): LoopFigures } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let maxOnCpuMs = 0;
  let lastCpu = threadCpuMs();
  // A timer every 2 ms fires once per loop turn while the loop is busy, so the CPU time
  // between two of its ticks is what one turn cost.
  const sampler =
    lastCpu === null
      ? undefined
      : setInterval(() => {
          const cpu = threadCpuMs()!;
          maxOnCpuMs = Math.max(maxOnCpuMs, cpu - lastCpu!);
          lastCpu = cpu;
        }, 2);
  return {
    stop() {
      delay.disable();
      clearInterval(sampler);
      return { maxDelayMs: delay.max / 1e6, p99DelayMs: delay.percentile(99) / 1e6, maxOnCpuMs: sampler ? maxOnCpuMs : null };
    },
  };
}

/** The event-loop columns of a result row. */
export function loopColumns(loop: LoopFigures): Record<string, string> {
  return {
    maxEventLoopDelayMs: loop.maxDelayMs.toFixed(1),
    p99EventLoopDelayMs: loop.p99DelayMs.toFixed(1),
    maxOnCpuMs: loop.maxOnCpuMs === null ? 'n/a' : loop.maxOnCpuMs.toFixed(1),
  };
}

import { AppError } from '../../shared/errors';

interface Node {
  id: string;
  name: string;
  dependsOn: readonly string[];
}

/**
 * Refuses dependencies on jobs that do not exist and any cycle (a job that would wait,
 * directly or through others, for itself). `jobs` is every job as it would be after the change.
 */
export function checkDependencies(jobs: readonly Node[]): void {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  for (const job of jobs) {
    for (const dependency of job.dependsOn) {
      if (dependency === job.id) throw new AppError('VALIDATION', `"${job.name}" cannot depend on itself.`);
      if (!byId.has(dependency)) throw new AppError('VALIDATION', `"${job.name}" depends on a job that does not exist (${dependency}).`);
    }
  }
  const cycle = findCycle(jobs);
  if (cycle) {
    const names = cycle.map((id) => `"${byId.get(id)!.name}"`);
    throw new AppError('VALIDATION', `These jobs would wait for each other forever: ${names.join(' → ')}. Remove one of the dependencies.`);
  }
}

/** A dependency cycle as ids, first repeated at the end (a → b → a); null when there is none. */
export function findCycle(jobs: readonly Node[]): string[] | null {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const job of jobs) {
    const cycle = visit(job.id);
    if (cycle) return cycle;
  }
  return null;
}

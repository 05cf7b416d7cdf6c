import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * How a process signs its job runs: host, process id and a random suffix (process ids are
 * reused). Another process on the same host can then tell at once that the signer is gone,
 * instead of waiting for its heartbeat to go stale.
 */
export function processOwner(host = hostname(), pid = process.pid): string {
  return `${host}:${pid}:${randomUUID().slice(0, 8)}`;
}

type ProcessProbe = (pid: number) => void;

const probeProcess: ProcessProbe = (pid) => {
  // Signal 0 delivers nothing: it only asks whether the process exists.
  process.kill(pid, 0);
};

/**
 * True when `owner` was a process on this host that no longer exists. Owners on other hosts,
 * or in a shape this version does not know, are never called gone: their heartbeat decides.
 */
export function ownerIsGone(owner: string, host = hostname(), probe: ProcessProbe = probeProcess): boolean {
  const suffixAt = owner.lastIndexOf(':');
  const pidAt = owner.lastIndexOf(':', suffixAt - 1);
  if (suffixAt < 0 || pidAt < 0 || owner.slice(0, pidAt) !== host) return false;
  const pid = Number(owner.slice(pidAt + 1, suffixAt));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    probe(pid);
    return false;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

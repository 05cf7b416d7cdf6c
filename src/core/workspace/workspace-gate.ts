import { AppError } from '../../shared/errors';

/**
 * Lets requests through to the workspace while it is open, and holds them while it is being
 * switched (a restore closing one database and opening another): they wait, then run on the
 * new one. A switch waits for the requests already inside to end.
 */
export class WorkspaceGate {
  private closed: Promise<void> | null = null;
  private broken: AppError | null = null;
  private readonly inside = new Set<Promise<unknown>>();

  /** Runs `work` once the workspace is open; `counted` requests are awaited by a switch before it closes the workspace. */
  async enter<T>(work: () => Promise<T>, { counted }: { counted: boolean } = { counted: true }): Promise<T> {
    while (this.closed) await this.closed;
    if (this.broken) throw this.broken;
    const running = work();
    if (!counted) return running;
    const tracked = running.catch(() => undefined);
    this.inside.add(tracked);
    try {
      return await running;
    } finally {
      this.inside.delete(tracked);
    }
  }

  /**
   * Closes the gate for the time of `work`: new requests wait, and `work` gets a function that
   * resolves once the requests inside have ended. When `work` fails with the workspace left
   * closed, `brokenBy` names why, and every later request is refused with it.
   */
  async exclusive<T>(work: (drained: () => Promise<void>) => Promise<T>, brokenBy: (error: unknown) => AppError | null): Promise<T> {
    while (this.closed) await this.closed;
    let open!: () => void;
    this.closed = new Promise((resolve) => (open = resolve));
    try {
      return await work(async () => {
        while (this.inside.size > 0) await Promise.all([...this.inside]);
      });
    } catch (error) {
      this.broken = brokenBy(error);
      throw error;
    } finally {
      this.closed = null;
      open();
    }
  }
}

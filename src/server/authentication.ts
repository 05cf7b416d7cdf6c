import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FailedAuthLimiter } from './failed-auth';

export const TOO_MANY_FAILURES_MESSAGE = 'Too many failed attempts from this address: try again later.';

/** Compares through fixed-length digests so neither the content nor the length leaks through timing. */
function tokenMatches(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** Answers a refused request: 429 while its address must wait, 401 for a wrong or missing token. */
export type RefuseRequest = (status: 401 | 429, retryAfterS?: number) => void;

/**
 * Whether the request may go on: false after answering it, when its address must still wait
 * after repeated failures or when `presented` is not an accepted token.
 */
export type Authenticate = (req: IncomingMessage, presented: string | undefined, accepted: readonly string[], where: string, refuse: RefuseRequest) => boolean;

/**
 * `limiter` is present when other machines can reach the server; `behindProxy` makes the
 * client's address the one the proxy on this host appended to X-Forwarded-For.
 */
export function createAuthenticator(limiter: FailedAuthLimiter | undefined, behindProxy: boolean): Authenticate {
  const clientAddress = (req: IncomingMessage): string => {
    const forwarded = behindProxy ? req.headers['x-forwarded-for'] : undefined;
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    return last || req.socket.remoteAddress || 'unknown';
  };
  return (req, presented, accepted, where, refuse) => {
    const address = clientAddress(req);
    const wait = limiter?.waitFor(address) ?? 0;
    if (wait > 0) {
      refuse(429, Math.ceil(wait / 1000));
      return false;
    }
    if (!accepted.some((candidate) => tokenMatches(presented, candidate))) {
      limiter?.fail(address, where);
      refuse(401);
      return false;
    }
    limiter?.succeed(address);
    return true;
  };
}

import { isIP } from 'node:net';

function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare === '0.0.0.0' || bare === '::';
}

export function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * Checks the Host and Origin headers against the names this server answers to, so a page on
 * another site that re-points its DNS name at 127.0.0.1 is refused.
 */
export interface HostGuard {
  hostAllowed(hostHeader: string | undefined): boolean;
  originAllowed(origin: string | undefined): boolean;
  /** Learns the port; requests cannot arrive before listen() resolves, so none is judged without it. */
  listeningOn(port: number): void;
}

export function createHostGuard(host: string, loopback: boolean, behindProxy: boolean): HostGuard {
  let allowedHosts = new Set<string>();
  // Bound to a wildcard with --allow-remote, or behind a proxy that passes on the public name,
  // clients use names we cannot know: the token is the guard.
  const checkHost = !behindProxy && (loopback || !isWildcardHost(host));
  return {
    hostAllowed: (hostHeader) => !checkHost || (hostHeader !== undefined && allowedHosts.has(hostHeader.toLowerCase())),
    originAllowed: (origin) => {
      if (origin === undefined || !checkHost) return true;
      try {
        return allowedHosts.has(new URL(origin).host.toLowerCase());
      } catch {
        return false;
      }
    },
    listeningOn: (port) => {
      const withPort = (name: string) => (port === 80 ? [name, `${name}:${port}`] : [`${name}:${port}`]);
      allowedHosts = new Set([...withPort('127.0.0.1'), ...withPort('localhost'), ...withPort('[::1]'), ...withPort(hostForUrl(host).toLowerCase())]);
    },
  };
}

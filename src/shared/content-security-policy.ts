/**
 * The renderer's Content-Security-Policy, in one place: the build injects it into
 * index.html as a <meta> (the only carrier for a file:// page) and the main process sends
 * it as a header for the dev server. Charts draw to canvas and production React needs no
 * eval, so scripts come only from the app itself. Inline styles stay allowed: lightweight-charts
 * injects a <style> for its attribution logo, and CSS cannot run code or reach the network
 * past img-src/font-src. Development adds Vite's inline React-refresh preamble and the HMR
 * WebSocket.
 */
export function contentSecurityPolicy(mode: 'production' | 'development'): string {
  const dev = mode === 'development';
  const directives: Record<string, string> = {
    'default-src': "'none'",
    'script-src': dev ? "'self' 'unsafe-inline'" : "'self'",
    'style-src': "'self' 'unsafe-inline'",
    'img-src': "'self' data: blob:",
    'font-src': "'self' data:",
    'connect-src': dev ? "'self' ws://localhost:* ws://127.0.0.1:*" : "'self'",
    'worker-src': "'self'",
    'manifest-src': "'self'",
    'object-src': "'none'",
    'frame-src': "'none'",
    'base-uri': "'none'",
    'form-action': "'none'",
  };
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

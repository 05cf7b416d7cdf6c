import type { MetalyticsApi } from '../../shared/api';

/**
 * Native capabilities the Electron preload adds beside the contract API. Declared here until
 * the shared `DesktopBridge` type exists; absent in a plain browser.
 */
interface DesktopBridge {
  pickCsvFile(): Promise<{ path: string; name: string } | null>;
}

declare global {
  interface Window {
    metalytics?: MetalyticsApi;
    metalyticsDesktop?: DesktopBridge;
  }
}

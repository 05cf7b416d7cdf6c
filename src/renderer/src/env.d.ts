import type { DesktopGlobals } from '../../shared/desktop-bridge';

declare global {
  interface Window {
    /** The contract API from the Electron preload; absent in a plain browser. */
    metalytics?: DesktopGlobals['metalytics'];
    /** Native capabilities (file dialog, menu commands); Electron only. */
    metalyticsDesktop?: DesktopGlobals['metalyticsDesktop'];
  }
}

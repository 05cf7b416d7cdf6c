import { app, dialog, Menu, type MenuItemConstructorOptions } from 'electron';
import type { DesktopMenuCommand } from '../shared/desktop-bridge';

/**
 * A small application menu. Edit keeps copy/paste shortcuts working on macOS; View offers
 * reload and developer tools only in development.
 */
export function installApplicationMenu(options: {
  appVersion: string;
  development: boolean;
  sendCommand(command: DesktopMenuCommand): void;
  /** Another window, with a chart layout of its own. */
  openWindow(): void;
}): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Window', accelerator: 'CmdOrCtrl+Shift+N', click: () => options.openWindow() },
        { label: 'Import CSV…', accelerator: 'CmdOrCtrl+O', click: () => options.sendCommand('import-csv') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    ...(options.development
      ? [
          {
            label: 'View',
            submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[],
          },
        ]
      : []),
    {
      role: 'help',
      submenu: [
        {
          label: 'About Metalytics',
          click: () => {
            void dialog.showMessageBox({
              type: 'info',
              title: 'About Metalytics',
              message: `Metalytics ${options.appVersion}`,
              detail: `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`,
              buttons: ['OK'],
            });
          },
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  app.setAboutPanelOptions({ applicationName: 'Metalytics', applicationVersion: options.appVersion });
}

import { contextBridge, ipcRenderer } from 'electron';
import { buildDesktopBridge, buildMetalyticsApi } from './build-api';

// Runs sandboxed with context isolation: only these two objects cross into the page,
// never ipcRenderer itself or a generic invoke.
contextBridge.exposeInMainWorld('metalytics', buildMetalyticsApi(ipcRenderer));
contextBridge.exposeInMainWorld('metalyticsDesktop', buildDesktopBridge(ipcRenderer, process.argv));

export const screens = ['markets', 'compare', 'data', 'models', 'predictions', 'backups', 'settings'] as const;
export type Screen = (typeof screens)[number];

const screenLabels: Record<Screen, string> = {
  markets: 'Markets',
  compare: 'Compare',
  data: 'Data',
  models: 'Models',
  predictions: 'Predictions',
  backups: 'Backups',
  settings: 'Settings',
};

export function screenLabel(screen: Screen): string {
  return screenLabels[screen];
}

// UI state shared across pages: the token and the theme choice.
import { createContext, useContext } from 'react';
import type { ThemeChoice } from './theme.ts';

export interface Settings {
  token: string | null;
  setToken(token: string | null): void;
  theme: ThemeChoice;
  setTheme(theme: ThemeChoice): void;
}

export const SettingsContext = createContext<Settings | null>(null);

export function useSettings(): Settings {
  const settings = useContext(SettingsContext);
  if (!settings) throw new Error('useSettings outside <SettingsContext>');
  return settings;
}

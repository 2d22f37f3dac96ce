// Light and dark from one MUI theme; the choice (or "system") is UI state
// kept in localStorage.
import { createTheme, type Theme } from '@mui/material/styles';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'nightshift.theme';

export function readThemeChoice(): ThemeChoice {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function saveThemeChoice(choice: ThemeChoice): void {
  localStorage.setItem(KEY, choice);
}

export function buildTheme(mode: 'light' | 'dark'): Theme {
  return createTheme({
    palette: {
      mode,
      // WCAG AA for text on coloured chips and buttons (MUI's default threshold is 3).
      contrastThreshold: 4.5,
      primary: { main: mode === 'dark' ? '#90caf9' : '#1565c0' },
      secondary: { main: mode === 'dark' ? '#ce93d8' : '#7b1fa2' },
    },
    shape: { borderRadius: 10 },
    components: {
      MuiCard: { defaultProps: { variant: 'outlined' } },
      MuiButton: { defaultProps: { disableElevation: true } },
    },
  });
}

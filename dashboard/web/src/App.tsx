// The app: settings (token, theme), the query client, the one WebSocket, and
// the routes — each page its own lazily loaded bundle.
import CssBaseline from '@mui/material/CssBaseline';
import useMediaQuery from '@mui/material/useMediaQuery';
import { ThemeProvider } from '@mui/material/styles';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, useMemo, useState } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { ApiError } from './api/client.ts';
import { clearToken, readToken, saveToken } from './api/token.ts';
import { Layout } from './components/Layout.tsx';
import { SettingsContext, type Settings } from './settings.tsx';
import { buildTheme, readThemeChoice, saveThemeChoice, type ThemeChoice } from './theme.ts';

const page = (load: () => Promise<{ default: React.ComponentType }>) => {
  const Page = lazy(load);
  return <Page />;
};

const router = createBrowserRouter([
  { path: '/login', element: page(() => import('./pages/Login/LoginPage.tsx')) },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: page(() => import('./pages/Now/NowPage.tsx')) },
      { path: 'decisions', element: page(() => import('./pages/Decisions/DecisionsPage.tsx')) },
      { path: 'stories/:namespace/:name', element: page(() => import('./pages/Story/StoryPage.tsx')) },
      { path: 'stories/:namespace/:name/replay', element: page(() => import('./pages/Replay/ReplayPage.tsx')) },
      { path: 'timeline', element: page(() => import('./pages/Timeline/TimelinePage.tsx')) },
      { path: 'queue', element: page(() => import('./pages/Queue/QueuePage.tsx')) },
      { path: 'budget', element: page(() => import('./pages/Budget/BudgetPage.tsx')) },
      { path: 'prs', element: page(() => import('./pages/PullRequests/PullRequestsPage.tsx')) },
      { path: 'settings', element: page(() => import('./pages/Settings/SettingsPage.tsx')) },
      { path: '*', element: <Navigate to="/" replace /> },
    ],
  },
]);

export function App() {
  const [token, setTokenState] = useState(readToken);
  const [theme, setThemeState] = useState<ThemeChoice>(readThemeChoice);
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)');
  const mode = theme === 'system' ? (prefersDark ? 'dark' : 'light') : theme;
  const muiTheme = useMemo(() => buildTheme(mode), [mode]);
  const queryClient = useMemo(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 30_000,
            retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
          },
        },
      }),
    [],
  );
  const settings = useMemo<Settings>(
    () => ({
      token,
      setToken: (next) => {
        if (next) saveToken(next);
        else clearToken();
        queryClient.clear();
        setTokenState(next ? next.trim() : null);
      },
      theme,
      setTheme: (next) => {
        saveThemeChoice(next);
        setThemeState(next);
      },
    }),
    [token, theme, queryClient],
  );
  return (
    <SettingsContext value={settings}>
      <ThemeProvider theme={muiTheme}>
        <CssBaseline enableColorScheme />
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </ThemeProvider>
    </SettingsContext>
  );
}

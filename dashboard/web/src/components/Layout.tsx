// The frame of every page: the app bar with the connection indicator, the
// page tabs, and the page itself (loaded lazily). Without a token: the login.
import AppBar from '@mui/material/AppBar';
import Badge from '@mui/material/Badge';
import Box from '@mui/material/Box';
import Container from '@mui/material/Container';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { Suspense } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { useDecisions } from '../api/queries.ts';
import { useLiveUpdates } from '../live/useLiveUpdates.ts';
import { useSettings } from '../settings.tsx';
import { ConnectionIndicator } from './ConnectionIndicator.tsx';
import { Loading } from './PageState.tsx';

const TABS = [
  { to: '/', label: 'Now' },
  { to: '/decisions', label: 'Decisions' },
  { to: '/queue', label: 'Queue' },
  { to: '/prs', label: 'PRs' },
  { to: '/timeline', label: 'Timeline' },
  { to: '/budget', label: 'Budget' },
  { to: '/settings', label: 'Settings' },
] as const;

export function Layout() {
  const { token } = useSettings();
  useLiveUpdates(token);
  const location = useLocation();
  if (!token) return <Navigate to="/login" replace />;
  const current =
    TABS.find((t) => t.to !== '/' && location.pathname.startsWith(t.to))?.to ??
    (location.pathname === '/' ? '/' : false);
  return (
    <Box sx={{ minHeight: '100vh', bgcolor: 'background.default' }}>
      <AppBar position="sticky" color="default" elevation={0} sx={{ borderBottom: 1, borderColor: 'divider' }}>
        <Toolbar variant="dense" sx={{ gap: 1 }}>
          <Typography variant="h6" component="span" sx={{ flexGrow: 1, fontWeight: 700 }}>
            Nightshift
          </Typography>
          <ConnectionIndicator />
        </Toolbar>
        <Tabs
          value={current}
          variant="scrollable"
          scrollButtons
          allowScrollButtonsMobile
          aria-label="Pages"
          component="nav"
          sx={{ minHeight: 40, '& .MuiTab-root': { minHeight: 40 } }}
        >
          {TABS.map((t) => (
            <Tab
              key={t.to}
              value={t.to}
              component={Link}
              to={t.to}
              label={t.label === 'Decisions' ? <DecisionsLabel /> : t.label}
            />
          ))}
        </Tabs>
      </AppBar>
      <Container component="main" maxWidth="lg" sx={{ py: 2, px: { xs: 1.5, sm: 3 } }}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </Container>
    </Box>
  );
}

function DecisionsLabel() {
  const { data } = useDecisions();
  const count = data?.items.length ?? 0;
  return (
    <Badge badgeContent={count} color="error" sx={{ '& .MuiBadge-badge': { right: -10 } }}>
      Decisions
    </Badge>
  );
}

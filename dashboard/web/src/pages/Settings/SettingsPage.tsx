import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { useSettings } from '../../settings.tsx';
import type { ThemeChoice } from '../../theme.ts';

export default function SettingsPage() {
  const { theme, setTheme, setToken } = useSettings();
  const whoami = useQuery({ queryKey: ['whoami'], queryFn: () => api.whoami() });
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h1">
        Settings
      </Typography>
      <Card>
        <CardContent sx={{ display: 'grid', gap: 1 }}>
          <Typography variant="h6" component="h2">
            Token
          </Typography>
          <Typography variant="body2">
            {whoami.data
              ? `Logged in as "${whoami.data.name}" (${whoami.data.scope}; namespaces ${whoami.data.namespaces.join(', ') || 'all'})`
              : whoami.error
                ? whoami.error.message
                : 'Checking…'}
          </Typography>
          <Button variant="outlined" onClick={() => setToken(null)} sx={{ justifySelf: 'start' }}>
            Log out
          </Button>
        </CardContent>
      </Card>
      <Card>
        <CardContent sx={{ display: 'grid', gap: 1 }}>
          <Typography variant="h6" component="h2" id="theme-title">
            Theme
          </Typography>
          <ToggleButtonGroup
            exclusive
            value={theme}
            onChange={(_, value: ThemeChoice | null) => value && setTheme(value)}
            aria-labelledby="theme-title"
          >
            <ToggleButton value="system">System</ToggleButton>
            <ToggleButton value="light">Light</ToggleButton>
            <ToggleButton value="dark">Dark</ToggleButton>
          </ToggleButtonGroup>
        </CardContent>
      </Card>
    </Stack>
  );
}

// Log in with a dashboard token (nsd_…): checked against /api/whoami, then kept in this browser.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Container from '@mui/material/Container';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import { useSettings } from '../../settings.tsx';

export default function LoginPage() {
  const { setToken } = useSettings();
  const navigate = useNavigate();
  const [token, setValue] = useState(() => new URLSearchParams(location.hash.slice(1)).get('token') ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.whoami(token.trim());
      setToken(token.trim());
      navigate('/', { replace: true });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Container component="main" maxWidth="xs" sx={{ py: 6 }}>
      <Card>
        <CardContent>
          <Stack component="form" spacing={2} onSubmit={submit}>
            <Typography variant="h5" component="h1">
              Nightshift
            </Typography>
            <Typography variant="body2" color="text.secondary">
              Log in with a dashboard token (the one <code>npm start</code> printed, or one made with{' '}
              <code>nightshift-dashboard token create</code>).
            </Typography>
            <TextField
              label="Token"
              type="password"
              autoComplete="current-password"
              value={token}
              onChange={(e) => setValue(e.target.value)}
              required
              fullWidth
            />
            {error && <Alert severity="error">{error}</Alert>}
            <Button type="submit" variant="contained" loading={busy} disabled={!token.trim()}>
              Log in
            </Button>
          </Stack>
        </CardContent>
      </Card>
    </Container>
  );
}

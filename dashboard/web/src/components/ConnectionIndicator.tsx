import Chip from '@mui/material/Chip';
import { useConnectionState } from '../live/connection.ts';

const LOOK = {
  live: { label: 'Live', color: 'success' },
  connecting: { label: 'Connecting', color: 'warning' },
  offline: { label: 'Offline', color: 'error' },
} as const;

/** Whether what the page shows follows the cluster now. */
export function ConnectionIndicator() {
  const state = useConnectionState();
  const look = LOOK[state];
  return (
    <Chip
      size="small"
      variant="outlined"
      color={look.color}
      label={look.label}
      role="status"
      aria-live="polite"
      aria-label={`Live updates: ${look.label}`}
      data-state={state}
    />
  );
}

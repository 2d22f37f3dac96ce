// Spent against a limit, with the projection as the buffer: the bar of a
// story's cap and of the budget's day and week.
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { usd } from './format.ts';

export function CostBar({
  label,
  spent,
  limit,
  projected,
}: {
  label: string;
  spent: number;
  limit: number | null | undefined;
  projected?: number | null;
}) {
  const pct = (v: number) => (limit ? Math.min(100, (v / limit) * 100) : 0);
  const over = limit !== null && limit !== undefined && spent >= limit;
  return (
    <Box>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', gap: 1 }}>
        <Typography variant="caption" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="caption">
          {usd(spent)} / {limit ? usd(limit) : 'no cap'}
          {projected !== undefined && projected !== null ? ` · projected ${usd(projected)}` : ''}
        </Typography>
      </Box>
      <LinearProgress
        variant={projected !== undefined && projected !== null ? 'buffer' : 'determinate'}
        value={pct(spent)}
        valueBuffer={projected !== undefined && projected !== null ? pct(projected) : undefined}
        color={over ? 'error' : 'primary'}
        aria-label={`${label}: ${usd(spent)} of ${limit ? usd(limit) : 'no cap'}`}
        sx={{ height: 8, borderRadius: 4 }}
      />
    </Box>
  );
}

// Which stories ran when: one lane per story over the chosen range, its
// steps, pauses and waits as bars. Only the lanes in view are rendered
// (TanStack Virtual), so thousands of lanes and events scroll smoothly.
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { alpha, useTheme } from '@mui/material/styles';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { TimelineLane } from '@nightshift/dashboard/api';
import { useTimeline } from '../../api/queries.ts';
import { Empty, QueryState } from '../../components/PageState.tsx';

const LANE_HEIGHT = 44;
const RANGES = [1, 6, 24, 168] as const;

export default function TimelinePage() {
  const [hours, setHours] = useState<number>(24);
  const timeline = useTimeline(hours);
  return (
    <Stack spacing={2}>
      <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
        <Typography variant="h5" component="h1">
          Timeline
        </Typography>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={hours}
          onChange={(_, v: number | null) => v && setHours(v)}
          aria-label="Range"
        >
          {RANGES.map((h) => (
            <ToggleButton key={h} value={h}>
              {h < 24 ? `${h}h` : h === 24 ? '1d' : '7d'}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Stack>
      <QueryState query={timeline}>
        {(t) =>
          t.lanes.length === 0 ? (
            <Empty title="No story ran in this range." />
          ) : (
            <>
              <Typography variant="body2" color="text.secondary">
                {t.lanes.length} stories · at most {t.maxParallel} at once
                {t.truncated ? ' · more events than shown: narrow the range' : ''}
              </Typography>
              <Lanes lanes={t.lanes} from={Date.parse(t.from)} to={Date.parse(t.to)} />
            </>
          )
        }
      </QueryState>
    </Stack>
  );
}

function Lanes({ lanes, from, to }: { lanes: readonly TimelineLane[]; from: number; to: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: lanes.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => LANE_HEIGHT,
    overscan: 8,
  });
  return (
    <Box
      ref={scroller}
      data-testid="timeline-scroller"
      role="list"
      aria-label="Story lanes"
      tabIndex={0}
      sx={{ height: '70vh', overflow: 'auto', border: 1, borderColor: 'divider', borderRadius: 1, contain: 'strict' }}
    >
      <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => (
          <Box
            key={row.key}
            role="listitem"
            aria-label={laneSummary(lanes[row.index]!)}
            sx={{
              position: 'absolute',
              top: 0,
              left: 0,
              right: 0,
              height: LANE_HEIGHT,
              transform: `translateY(${row.start}px)`,
            }}
          >
            <Lane lane={lanes[row.index]!} from={from} to={to} />
          </Box>
        ))}
      </Box>
    </Box>
  );
}

const laneSummary = (lane: TimelineLane) =>
  `${lane.name ?? lane.uid} (${lane.title ?? 'unknown'}): ${lane.spans.filter((s) => s.kind === 'step').length} steps, ${lane.spans.filter((s) => s.kind !== 'step').length} pauses or waits`;

const Lane = memo(function Lane({ lane, from, to }: { lane: TimelineLane; from: number; to: number }) {
  const theme = useTheme();
  const span = to - from;
  const pct = (t: number) => `${Math.max(0, Math.min(100, ((t - from) / span) * 100))}%`;
  const colors = {
    step: theme.palette.primary.main,
    pause: theme.palette.warning.main,
    waiting: theme.palette.secondary.main,
  } as const;
  return (
    <Box
      sx={{
        display: 'flex',
        alignItems: 'center',
        height: '100%',
        borderBottom: 1,
        borderColor: 'divider',
        px: 1,
        gap: 1,
      }}
    >
      <Typography variant="caption" noWrap sx={{ width: { xs: 96, sm: 200 }, flexShrink: 0 }}>
        {lane.namespace && lane.name ? (
          <Link to={`/stories/${lane.namespace}/${lane.name}`} style={{ color: 'inherit' }}>
            {lane.title ?? lane.name}
          </Link>
        ) : (
          (lane.title ?? lane.uid)
        )}
      </Typography>
      <Box sx={{ position: 'relative', flexGrow: 1, height: 16, bgcolor: alpha(theme.palette.text.primary, 0.04) }}>
        {lane.spans.map((s, i) => {
          const start = Date.parse(s.start);
          const end = s.end ? Date.parse(s.end) : to;
          return (
            <Box
              key={i}
              component="span"
              aria-hidden
              title={`${s.kind} ${s.name}${s.attempt ? ` (attempt ${s.attempt})` : ''}`}
              sx={{
                position: 'absolute',
                top: 0,
                bottom: 0,
                left: pct(start),
                width: `max(2px, calc(${pct(end)} - ${pct(start)}))`,
                bgcolor: colors[s.kind],
                opacity: 0.85,
              }}
            />
          );
        })}
      </Box>
    </Box>
  );
});

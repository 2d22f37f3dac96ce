// What is happening: running stories as cards, the queue in numbers, the
// budgets' day and week with their projection, and what needs a human.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { StorySummary } from '@nightshift/dashboard/api';
import { useBudgets, useStories } from '../../api/queries.ts';
import { CostBar } from '../../components/CostBar.tsx';
import { ACTIVE_PHASES, FINISHED_PHASES } from '../../components/format.ts';
import { Empty, QueryState } from '../../components/PageState.tsx';
import { StoryCard } from './StoryCard.tsx';

const RECENT = 12;

function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

function group(stories: readonly StorySummary[]) {
  const active = stories.filter((s) => s.phase !== null && ACTIVE_PHASES.has(s.phase));
  const waiting = stories.filter((s) => s.phase === null || s.phase === 'Queued' || s.phase === 'Paused');
  const finished = stories
    .filter((s) => s.phase !== null && FINISHED_PHASES.has(s.phase))
    .sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''));
  return { active, waiting, finished };
}

const Grid = ({ children }: { children: React.ReactNode }) => (
  <Box sx={{ display: 'grid', gap: 1.5, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr', lg: '1fr 1fr 1fr' } }}>
    {children}
  </Box>
);

export default function NowPage() {
  const stories = useStories();
  const now = useNow();
  return (
    <Stack spacing={2.5}>
      <Typography variant="h5" component="h1">
        Now
      </Typography>
      <QueryState query={stories}>{(page) => <NowContent stories={page.items} now={now} />}</QueryState>
      <BudgetSummary />
    </Stack>
  );
}

function NowContent({ stories, now }: { stories: readonly StorySummary[]; now: number }) {
  const { active, waiting, finished } = useMemo(() => group(stories), [stories]);
  const asking = active.filter((s) => s.pendingDecision);
  const failed = finished.filter((s) => s.phase === 'Failed').slice(0, 3);
  return (
    <>
      {asking.length > 0 && (
        <Alert
          severity="warning"
          action={
            <Button component={Link} to="/decisions" color="inherit" size="small">
              Answer
            </Button>
          }
        >
          {asking.length === 1 ? '1 story waits for your decision' : `${asking.length} stories wait for your decision`}
        </Alert>
      )}
      {failed.map((s) => (
        <Alert key={s.uid} severity="error">
          {s.title} failed{s.message ? `: ${s.message}` : ''}
        </Alert>
      ))}
      <Box component="section" aria-labelledby="running-title">
        <Typography id="running-title" variant="h6" component="h2" sx={{ mb: 1 }}>
          Running ({active.length})
        </Typography>
        {active.length === 0 ? (
          <Empty title="Nothing runs right now." />
        ) : (
          <Grid>
            {active.map((s) => (
              <StoryCard key={s.uid} story={s} now={now} />
            ))}
          </Grid>
        )}
      </Box>
      <Card component="section" aria-labelledby="queue-title">
        <CardContent>
          <Typography id="queue-title" variant="h6" component="h2">
            Queue
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {waiting.length} waiting · {finished.filter((s) => s.phase === 'Succeeded').length} succeeded ·{' '}
            {finished.filter((s) => s.phase !== 'Succeeded').length} failed or aborted
          </Typography>
          {waiting[0] && (
            <Typography variant="body2">
              Next: {[...waiting].sort((a, b) => (a.queuePosition ?? 1e9) - (b.queuePosition ?? 1e9))[0]!.title}
            </Typography>
          )}
        </CardContent>
      </Card>
      <Box component="section" aria-labelledby="finished-title">
        <Typography id="finished-title" variant="h6" component="h2" sx={{ mb: 1 }}>
          Finished
        </Typography>
        {finished.length === 0 ? (
          <Empty title="No story has finished yet." />
        ) : (
          <Grid>
            {finished.slice(0, RECENT).map((s) => (
              <StoryCard key={s.uid} story={s} now={now} />
            ))}
          </Grid>
        )}
      </Box>
    </>
  );
}

function BudgetSummary() {
  const budgets = useBudgets();
  if (!budgets.data || budgets.data.items.length === 0) return null;
  return (
    <Card component="section" aria-labelledby="budget-title">
      <CardContent sx={{ display: 'grid', gap: 1.5 }}>
        <Typography id="budget-title" variant="h6" component="h2">
          Budget
        </Typography>
        {budgets.data.items.map((b) => (
          <Stack key={b.uid} spacing={1}>
            <Typography variant="body2" sx={{ fontWeight: 600 }}>
              {b.name}
            </Typography>
            <CostBar
              label="Today"
              spent={b.status?.spentTodayUSD ?? 0}
              limit={b.spec.dailyLimitUSD}
              projected={b.status?.projectedTodayUSD}
            />
            <CostBar
              label="This week"
              spent={b.status?.spentThisWeekUSD ?? 0}
              limit={b.spec.weeklyLimitUSD}
              projected={b.status?.projectedWeekUSD}
            />
          </Stack>
        ))}
      </CardContent>
    </Card>
  );
}

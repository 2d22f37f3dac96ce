// One story at a glance: phase, step, elapsed, cost against its cap, and what it waits for.
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link } from 'react-router';
import type { StorySummary } from '@nightshift/dashboard/api';
import { CostBar } from '../../components/CostBar.tsx';
import { elapsed, phaseColor } from '../../components/format.ts';

export function StoryCard({ story, now }: { story: StorySummary; now: number }) {
  const phase = story.phase ?? 'New';
  return (
    <Card component="article" aria-label={story.title} data-story={story.name} data-phase={phase}>
      <CardActionArea component={Link} to={`/stories/${story.namespace}/${story.name}`}>
        <CardContent sx={{ display: 'grid', gap: 1 }}>
          <Stack direction="row" sx={{ alignItems: 'flex-start', justifyContent: 'space-between', gap: 1 }}>
            <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600, lineHeight: 1.3 }} noWrap>
              {story.title}
            </Typography>
            <Chip size="small" label={phase} color={phaseColor(story.phase)} sx={{ flexShrink: 0 }} />
          </Stack>
          <Typography variant="body2" color="text.secondary" noWrap>
            {story.storyId} · {story.step ? `step ${story.step}` : 'no step yet'} ·{' '}
            {elapsed(story.startedAt, story.completedAt, now)}
            {story.attempt > 1 ? ` · attempt ${story.attempt}` : ''}
          </Typography>
          {/* A finished story's cost is final: no projection beside it. */}
          <CostBar
            label="Cost"
            spent={story.costUSD}
            limit={story.maxCostUSD}
            projected={story.completedAt ? undefined : story.estimateUSD}
          />
          {story.pendingDecision && (
            <Typography variant="body2" color="warning.main" noWrap>
              Asks: {story.pendingDecision.question}
            </Typography>
          )}
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

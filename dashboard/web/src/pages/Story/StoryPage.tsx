// One story: its state and controls, what it asks, its attempts (the step
// timeline), cost, conditions, pods and Kubernetes Events.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { Link as RouterLink, useParams } from 'react-router';
import type { StoryDetail } from '@nightshift/dashboard/api';
import { useStory } from '../../api/queries.ts';
import { CostBar } from '../../components/CostBar.tsx';
import { elapsed, phaseColor, usd } from '../../components/format.ts';
import { QueryState } from '../../components/PageState.tsx';
import { StoryActionButtons } from '../../components/StoryActionButtons.tsx';

export default function StoryPage() {
  const { namespace = '', name = '' } = useParams();
  const story = useStory(namespace, name);
  return <QueryState query={story}>{(s) => <StoryView story={s} />}</QueryState>;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card component="section" aria-label={title}>
      <CardContent>
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

function StoryView({ story }: { story: StoryDetail }) {
  return (
    <Stack spacing={2}>
      <Stack spacing={0.5}>
        <Typography variant="h5" component="h1">
          {story.title}
        </Typography>
        <Stack direction="row" sx={{ gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Chip label={story.phase ?? 'New'} color={phaseColor(story.phase)} size="small" data-testid="story-phase" />
          <Typography variant="body2" color="text.secondary">
            {story.storyId} · {story.namespace}/{story.name} · {story.step ? `step ${story.step}` : 'no step yet'} ·{' '}
            {elapsed(story.startedAt, story.completedAt)}
          </Typography>
        </Stack>
        {story.message && (
          <Typography variant="body2" color="text.secondary">
            {story.message}
          </Typography>
        )}
      </Stack>
      <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <StoryActionButtons story={story} />
        <Button size="small" component={RouterLink} to={`/stories/${story.namespace}/${story.name}/replay`}>
          Replay
        </Button>
      </Stack>
      {story.decision?.pending && (
        <Alert
          severity="warning"
          action={
            <Button component={RouterLink} to="/decisions" color="inherit" size="small">
              Answer
            </Button>
          }
        >
          {story.decision.question}
        </Alert>
      )}
      {story.pullRequest && (
        <Alert severity="success">
          Pull request{' '}
          <Link href={story.pullRequest.url} target="_blank" rel="noreferrer">
            #{story.pullRequest.number}
          </Link>
          {story.review ? ` (${story.review.draft ? 'draft, ' : ''}${story.review.reviewState})` : ''}
        </Alert>
      )}
      <Section title="Cost">
        <CostBar
          label="Spent"
          spent={story.cost.spentUSD}
          limit={story.cost.capUSD}
          projected={story.cost.estimateUSD}
        />
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          Estimate {usd(story.cost.estimateUSD)} (p90 {usd(story.cost.estimateP90USD)})
        </Typography>
        <List dense disablePadding>
          {story.attempts.map((a) => (
            <ListItem key={a.attempt} disableGutters>
              <ListItemText primary={`Attempt ${a.attempt}: ${usd(a.costUSD)}`} secondary={a.mode} />
            </ListItem>
          ))}
        </List>
      </Section>
      <Section title="Attempts">
        {story.attempts.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No attempt yet.
          </Typography>
        ) : (
          <List dense disablePadding>
            {story.attempts.map((a) => (
              <ListItem key={a.attempt} disableGutters>
                <ListItemText
                  primary={`#${a.attempt} ${a.outcome ?? 'running'}${a.step ? ` at ${a.step}` : ''}`}
                  secondary={`${new Date(a.createdAt).toLocaleString()} · ${elapsed(a.createdAt, a.endedAt)} · pod ${a.podName}${a.error ? ` · ${a.error}` : ''}`}
                />
              </ListItem>
            ))}
          </List>
        )}
      </Section>
      <Section title="Conditions">
        <List dense disablePadding>
          {story.conditions.map((c) => (
            <ListItem key={c.type} disableGutters>
              <ListItemText primary={`${c.type}: ${c.status} (${c.reason})`} secondary={c.message || undefined} />
            </ListItem>
          ))}
        </List>
      </Section>
      <Section title="Pods">
        {story.pods.length === 0 ? (
          <Typography variant="body2" color="text.secondary" data-testid="no-pods">
            No pod.
          </Typography>
        ) : (
          <List dense disablePadding>
            {story.pods.map((p) => (
              <ListItem key={p.uid} disableGutters data-testid="pod">
                <ListItemText
                  primary={`${p.name} ${p.terminating ? '(terminating)' : (p.phase ?? '')}`}
                  secondary={[p.reason, p.message].filter(Boolean).join(': ') || undefined}
                />
              </ListItem>
            ))}
          </List>
        )}
      </Section>
      <Section title="Events">
        <List dense disablePadding>
          {story.events.slice(-20).map((e, i) => (
            <ListItem key={i} disableGutters>
              <ListItemText primary={`${e.reason}${e.count > 1 ? ` ×${e.count}` : ''}`} secondary={e.message} />
            </ListItem>
          ))}
        </List>
      </Section>
    </Stack>
  );
}

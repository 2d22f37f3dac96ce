// The queues: their state, and their waiting stories in admission order
// with the queue actions (move to front, skip) from the actions table.
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useStories } from '../../api/queries.ts';
import { Empty, QueryState } from '../../components/PageState.tsx';
import { StoryActionButtons } from '../../components/StoryActionButtons.tsx';
import { useQueues } from '../../api/queries.ts';
import { QueueControls } from './QueueControls.tsx';

export default function QueuePage() {
  const queues = useQueues();
  const stories = useStories();
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h1">
        Queue
      </Typography>
      <QueryState query={queues}>
        {(list) =>
          list.items.length === 0 ? (
            <Empty title="No WorkQueue: stories without a queue start at once." />
          ) : (
            list.items.map((q) => {
              const waiting = (stories.data?.items ?? [])
                .filter(
                  (s) =>
                    s.namespace === q.namespace && s.queue === q.name && (s.phase === 'Queued' || s.phase === null),
                )
                .sort((a, b) => (a.queuePosition ?? 1e9) - (b.queuePosition ?? 1e9));
              return (
                <Card key={q.uid} component="article" aria-label={`Queue ${q.name}`}>
                  <CardContent sx={{ display: 'grid', gap: 1 }}>
                    <Stack direction="row" sx={{ justifyContent: 'space-between', gap: 1, alignItems: 'center' }}>
                      <Typography variant="h6" component="h2">
                        {q.namespace}/{q.name}
                      </Typography>
                      <Chip size="small" label={q.status?.state ?? 'Unknown'} />
                    </Stack>
                    <Typography variant="body2" color="text.secondary">
                      {q.status?.running ?? 0} running of {q.spec.maxParallel} · {q.status?.queued ?? 0} queued ·{' '}
                      {q.spec.paused ? 'paused' : 'admitting'} · schedule{' '}
                      {q.status?.scheduleOpen === false ? 'closed' : 'open'}
                    </Typography>
                    <QueueControls queue={q} />
                    {waiting.length === 0 ? (
                      <Typography variant="body2">Nothing waits.</Typography>
                    ) : (
                      <List dense disablePadding>
                        {waiting.map((s) => (
                          <ListItem key={s.uid} disableGutters sx={{ display: 'grid', gap: 0.5 }} data-queued={s.name}>
                            <ListItemText
                              primary={`${s.queuePosition ?? '–'}. ${s.title}${s.skip ? ' (skipped)' : ''}`}
                              secondary={`${s.storyId} · priority ${s.priority}`}
                            />
                            <StoryActionButtons story={s} ids={['move-to-front', 'skip', 'unskip']} />
                          </ListItem>
                        ))}
                      </List>
                    )}
                  </CardContent>
                </Card>
              );
            })
          )
        }
      </QueryState>
    </Stack>
  );
}

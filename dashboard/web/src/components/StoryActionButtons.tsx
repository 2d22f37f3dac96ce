// Buttons for the story's enabled actions (from the one actions table), each
// behind its confirmation dialog. The result shows up through the WebSocket.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { StorySummary } from '@nightshift/dashboard/api';
import { actionsFor, type StoryAction } from '../actions/storyActions.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

export function StoryActionButtons({ story, ids }: { story: StorySummary; ids?: readonly string[] }) {
  const [pending, setPending] = useState<StoryAction | null>(null);
  const mutation = useMutation({
    mutationFn: (action: StoryAction) => action.run(story),
    onSuccess: () => setPending(null),
  });
  const actions = actionsFor(story, ids);
  return (
    <>
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }}>
        {actions.map((action) => (
          <Button
            key={action.id}
            size="small"
            variant="outlined"
            color={action.confirm.danger ? 'error' : 'primary'}
            onClick={() => {
              mutation.reset();
              setPending(action);
            }}
          >
            {action.label}
          </Button>
        ))}
      </Stack>
      {mutation.error && !pending && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {mutation.error.message}
        </Alert>
      )}
      {pending && (
        <ConfirmDialog
          open
          title={pending.confirm.title(story)}
          body={mutation.error ? `${pending.confirm.body}\n\nFailed: ${mutation.error.message}` : pending.confirm.body}
          confirmLabel={pending.confirm.label}
          danger={pending.confirm.danger}
          busy={mutation.isPending}
          onConfirm={() => mutation.mutate(pending)}
          onCancel={() => setPending(null)}
        />
      )}
    </>
  );
}

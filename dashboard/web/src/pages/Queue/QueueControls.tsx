// A queue's own controls: pause or resume admission, and maxParallel; each
// asks first, and the new state comes back through the WebSocket.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { QueueView } from '@nightshift/dashboard/api';
import { api } from '../../api/client.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

type Pending = { kind: 'pause' } | { kind: 'resume' } | { kind: 'maxParallel'; value: number };

export function QueueControls({ queue }: { queue: QueueView }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [max, setMax] = useState(String(queue.spec.maxParallel));
  const run = useMutation({
    mutationFn: (p: Pending) =>
      p.kind === 'pause'
        ? api.pauseQueue(queue.namespace, queue.name, queue.resourceVersion)
        : p.kind === 'resume'
          ? api.resumeQueue(queue.namespace, queue.name, queue.resourceVersion)
          : api.setMaxParallel(queue.namespace, queue.name, queue.resourceVersion, p.value),
    onSuccess: () => setPending(null),
  });
  const value = Number(max);
  const text =
    pending?.kind === 'pause'
      ? { title: `Pause ${queue.name}?`, body: 'Nothing more is admitted; stories that run now go on.', label: 'Pause' }
      : pending?.kind === 'resume'
        ? { title: `Resume ${queue.name}?`, body: 'It admits stories again.', label: 'Resume' }
        : {
            title: `Run up to ${value} at once in ${queue.name}?`,
            body: 'Lowering it stops nothing: it only admits nothing until fewer run.',
            label: 'Apply',
          };
  return (
    <>
      <Stack direction="row" sx={{ gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
        <Button
          size="small"
          variant="outlined"
          onClick={() => setPending({ kind: queue.spec.paused ? 'resume' : 'pause' })}
        >
          {queue.spec.paused ? 'Resume queue' : 'Pause queue'}
        </Button>
        <TextField
          size="small"
          type="number"
          label="Max parallel"
          value={max}
          onChange={(e) => setMax(e.target.value)}
          slotProps={{ htmlInput: { min: 0, max: 1000 } }}
          sx={{ width: 130 }}
        />
        <Button
          size="small"
          disabled={!Number.isInteger(value) || value < 0 || value === queue.spec.maxParallel}
          onClick={() => setPending({ kind: 'maxParallel', value })}
        >
          Set
        </Button>
      </Stack>
      {run.error && !pending && <Alert severity="error">{run.error.message}</Alert>}
      {pending && (
        <ConfirmDialog
          open
          title={text.title}
          body={run.error ? `${text.body}\n\nFailed: ${run.error.message}` : text.body}
          confirmLabel={text.label}
          busy={run.isPending}
          onConfirm={() => run.mutate(pending)}
          onCancel={() => setPending(null)}
        />
      )}
    </>
  );
}

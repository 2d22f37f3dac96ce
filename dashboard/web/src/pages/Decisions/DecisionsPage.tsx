// What the agents ask: each decision with its full context and its options
// (the recommendation first). Answer one with its button, or select several
// and answer them together (one POST; each item reports how it went).
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { DecisionAnswerItem, DecisionView } from '@nightshift/dashboard/api';
import { api } from '../../api/client.ts';
import { useDecisions } from '../../api/queries.ts';
import { Empty, QueryState } from '../../components/PageState.tsx';
import { DecisionCard, optionsInOrder } from './DecisionCard.tsx';

const answerOf = (d: DecisionView, choice: string): DecisionAnswerItem => ({
  namespace: d.namespace,
  name: d.name,
  id: d.id,
  choice,
  resourceVersion: d.resourceVersion ?? '',
});

export default function DecisionsPage() {
  const decisions = useDecisions();
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h1">
        Decisions
      </Typography>
      <QueryState query={decisions}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No decision waits for you." />
          ) : (
            <DecisionList decisions={page.items} />
          )
        }
      </QueryState>
    </Stack>
  );
}

function DecisionList({ decisions }: { decisions: readonly DecisionView[] }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [choices, setChoices] = useState<Record<string, string>>({});
  const choiceOf = (d: DecisionView) => choices[d.id] ?? optionsInOrder(d)[0] ?? '';
  const decide = useMutation({
    mutationFn: (answers: DecisionAnswerItem[]) => api.decide(answers),
    onSuccess: (response) => {
      const applied = new Set(
        response.results.filter((r) => r.result === 'applied' || r.result === 'unchanged').map((r) => r.id),
      );
      setSelected((s) => new Set([...s].filter((id) => !applied.has(id))));
    },
  });
  const failures = decide.data?.results.filter((r) => r.result !== 'applied' && r.result !== 'unchanged') ?? [];
  const visible = decisions.filter((d) => d.pending);
  const chosen = visible.filter((d) => selected.has(d.id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <>
      <Paper
        variant="outlined"
        sx={{ p: 1, display: 'flex', alignItems: 'center', gap: 1, position: 'sticky', top: 96, zIndex: 1 }}
        aria-label="Batch"
      >
        <FormControlLabel
          sx={{ ml: 0.5, flexGrow: 1 }}
          control={
            <Checkbox
              checked={chosen.length === visible.length && visible.length > 0}
              indeterminate={chosen.length > 0 && chosen.length < visible.length}
              onChange={(e) => setSelected(new Set(e.target.checked ? visible.map((d) => d.id) : []))}
            />
          }
          label={chosen.length ? `${chosen.length} selected` : 'Select all'}
        />
        <Button
          variant="contained"
          disabled={chosen.length === 0}
          loading={decide.isPending}
          onClick={() => decide.mutate(chosen.map((d) => answerOf(d, choiceOf(d))))}
        >
          Answer {chosen.length || ''} selected
        </Button>
      </Paper>
      {decide.error && <Alert severity="error">{decide.error.message}</Alert>}
      {failures.map((f) => (
        <Alert key={f.id} severity="error">
          {f.name}: {f.result}
          {f.detail ? ` — ${f.detail}` : ''}
        </Alert>
      ))}
      <Box sx={{ display: 'grid', gap: 1.5, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' } }}>
        {visible.map((d) => (
          <DecisionCard
            key={d.id}
            decision={d}
            selected={selected.has(d.id)}
            onToggle={() => toggle(d.id)}
            choice={choiceOf(d)}
            onChoose={(choice) => setChoices((c) => ({ ...c, [d.id]: choice }))}
            busy={decide.isPending}
            onAnswer={(choice) => decide.mutate([answerOf(d, choice)])}
          />
        ))}
      </Box>
    </>
  );
}

// A story's run step by step from its records: every agent call (tokens,
// cost, duration), tool call, decision (auto or human), commit with its diff
// per file, verify output and review; time and cost per step.
import Accordion from '@mui/material/Accordion';
import AccordionDetails from '@mui/material/AccordionDetails';
import AccordionSummary from '@mui/material/AccordionSummary';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useParams } from 'react-router';
import type { ReplayItem, ReplayStep } from '@nightshift/dashboard/api';
import { useReplay } from '../../api/queries.ts';
import { usd } from '../../components/format.ts';
import { Empty, QueryState } from '../../components/PageState.tsx';

const ms = (v: number | null) => (v === null ? '—' : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);

export default function ReplayPage() {
  const { namespace = '', name = '' } = useParams();
  const replay = useReplay(namespace, name);
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h1">
        Replay of {name}
      </Typography>
      <QueryState query={replay}>
        {(r) => (
          <>
            <Typography variant="body2" color="text.secondary">
              {usd(r.totals.costUSD)} · {r.totals.agentCalls} agent calls · {r.totals.toolCalls} tool calls ·{' '}
              {r.totals.inputTokens + r.totals.outputTokens} tokens · {ms(r.totals.durationMs)} ·{' '}
              {r.totals.humanDecisions} human and {r.totals.autoDecisions} automatic decisions
            </Typography>
            {r.steps.length === 0 ? (
              <Empty title="No step recorded yet." />
            ) : (
              r.steps.map((s, i) => <Step key={i} step={s} />)
            )}
          </>
        )}
      </QueryState>
    </Stack>
  );
}

function Step({ step }: { step: ReplayStep }) {
  return (
    <Accordion disableGutters variant="outlined">
      <AccordionSummary aria-controls={`${step.node}-${step.visit}-${step.attempt}`}>
        <Stack direction="row" sx={{ gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography sx={{ fontWeight: 600 }}>{step.node}</Typography>
          <Typography variant="body2" color="text.secondary">
            attempt {step.attempt} · {ms(step.durationMs)} · {usd(step.costUSD)} · {step.items.length} items
          </Typography>
        </Stack>
      </AccordionSummary>
      <AccordionDetails sx={{ display: 'grid', gap: 1 }}>
        {step.items.map((item, i) => (
          <Item key={i} item={item} />
        ))}
      </AccordionDetails>
    </Accordion>
  );
}

const Pre = ({ children }: { children: string }) => (
  <Box
    component="pre"
    sx={{ m: 0, p: 1, bgcolor: 'action.hover', borderRadius: 1, overflow: 'auto', fontSize: 12, maxHeight: 320 }}
  >
    {children}
  </Box>
);

function Item({ item }: { item: ReplayItem }) {
  const line = (label: string, text: string) => (
    <Typography variant="body2">
      <Chip size="small" label={label} sx={{ mr: 1 }} />
      {text}
    </Typography>
  );
  switch (item.type) {
    case 'agentCall':
      return line(
        'agent',
        `${item.purpose} · ${item.model ?? 'model?'} · ${item.inputTokens ?? 0} in / ${item.outputTokens ?? 0} out · ${usd(item.costUSD)} · ${ms(item.durationMs)}`,
      );
    case 'toolCall':
      return line(
        'tool',
        `${item.tool} ${item.ok ? 'ok' : 'failed'} · ${ms(item.durationMs)}${item.changed ? ` · ${item.changed}` : ''}`,
      );
    case 'decision':
      return line(
        item.by === 'human' ? 'human decision' : 'auto decision',
        `${item.question ?? item.kind}: ${item.choice ?? '—'}${item.detail ? ` (${item.detail})` : ''}`,
      );
    case 'commit':
      return (
        <Box>
          {line('commit', `${item.sha.slice(0, 10)} · ${item.files.length} files`)}
          {item.files.map((f) => (
            <Box key={f.path} sx={{ mt: 1 }}>
              <Typography variant="caption">
                {f.status} {f.path}
              </Typography>
              {f.diff && <Pre>{f.diff}</Pre>}
            </Box>
          ))}
        </Box>
      );
    case 'verify':
      return (
        <Box>
          {line(
            'verify',
            `${item.command.join(' ')} · ${item.passed ? 'passed' : `failed (${item.exitCode})`} · ${ms(item.durationMs)}`,
          )}
          {item.output && <Pre>{item.output}</Pre>}
        </Box>
      );
    case 'review':
      return line('review', `${item.verdict}: ${item.summary}`);
    case 'event':
      return line(item.source, `${item.name}${item.message ? `: ${item.message}` : ''}`);
  }
}

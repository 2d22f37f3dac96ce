import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Checkbox from '@mui/material/Checkbox';
import Link from '@mui/material/Link';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import type { DecisionView } from '@nightshift/dashboard/api';

/** The recommendation first, then the others as the agent gave them. */
export const optionsInOrder = (d: DecisionView): string[] =>
  d.recommendation && d.options.includes(d.recommendation)
    ? [d.recommendation, ...d.options.filter((o) => o !== d.recommendation)]
    : d.options.length
      ? d.options
      : d.recommendation
        ? [d.recommendation]
        : [];

export function DecisionCard(props: {
  decision: DecisionView;
  selected: boolean;
  onToggle(): void;
  choice: string;
  onChoose(choice: string): void;
  busy: boolean;
  onAnswer(choice: string): void;
}) {
  const d = props.decision;
  const options = optionsInOrder(d);
  const labelId = `decision-${d.id}-question`;
  return (
    <Card component="article" aria-labelledby={labelId} data-decision={d.name}>
      <CardContent sx={{ display: 'grid', gap: 1 }}>
        <Stack direction="row" sx={{ alignItems: 'flex-start', gap: 0.5 }}>
          <Checkbox
            checked={props.selected}
            onChange={props.onToggle}
            slotProps={{ input: { 'aria-label': `Select: ${d.question} (${d.name})` } }}
            sx={{ mt: -1, ml: -1 }}
          />
          <Box sx={{ minWidth: 0 }}>
            <Typography id={labelId} variant="subtitle1" component="h2" sx={{ fontWeight: 600 }}>
              {d.question}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              <Link component={RouterLink} to={`/stories/${d.namespace}/${d.name}`}>
                {d.storyTitle ?? d.name}
              </Link>{' '}
              · {d.kind}
              {d.step ? ` at ${d.step}` : ''} · asked {new Date(d.askedAt).toLocaleTimeString()}
            </Typography>
          </Box>
        </Stack>
        {d.context && (
          <Typography
            variant="body2"
            component="div"
            sx={{ whiteSpace: 'pre-wrap', bgcolor: 'action.hover', p: 1, borderRadius: 1, overflowWrap: 'anywhere' }}
          >
            {d.context}
          </Typography>
        )}
        <RadioGroup
          value={props.choice}
          onChange={(e) => props.onChoose(e.target.value)}
          aria-label={`Choice for: ${d.question}`}
        >
          {options.map((o) => (
            <FormControlLabel
              key={o}
              value={o}
              control={<Radio size="small" />}
              label={o === d.recommendation ? `${o} (recommended)` : o}
            />
          ))}
        </RadioGroup>
      </CardContent>
      <CardActions sx={{ flexWrap: 'wrap', gap: 1, px: 2, pb: 2 }}>
        {options.map((o, i) => (
          <Button
            key={o}
            size="small"
            variant={i === 0 ? 'contained' : 'outlined'}
            disabled={props.busy}
            onClick={() => props.onAnswer(o)}
            aria-label={`Answer ${o} for ${d.name}`}
            sx={{ ml: '0 !important' }}
          >
            {o}
          </Button>
        ))}
      </CardActions>
    </Card>
  );
}

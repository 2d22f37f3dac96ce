// Budgets: limits, today's and this week's spend with the projection.
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useBudgets } from '../../api/queries.ts';
import { CostBar } from '../../components/CostBar.tsx';
import { usd } from '../../components/format.ts';
import { Empty, QueryState } from '../../components/PageState.tsx';
import { ExtendBudget } from './ExtendBudget.tsx';

export default function BudgetPage() {
  const budgets = useBudgets();
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h1">
        Budget
      </Typography>
      <QueryState query={budgets}>
        {(list) =>
          list.items.length === 0 ? (
            <Empty title="No Budget: stories are limited only by their own cap." />
          ) : (
            list.items.map((b) => (
              <Card key={b.uid} component="article">
                <CardContent sx={{ display: 'grid', gap: 1.5 }}>
                  <Stack direction="row" sx={{ justifyContent: 'space-between', gap: 1 }}>
                    <Typography variant="h6" component="h2">
                      {b.namespace}/{b.name}
                    </Typography>
                    <Chip
                      size="small"
                      label={b.status?.state ?? 'Unknown'}
                      color={b.status?.state === 'Ok' ? 'success' : 'warning'}
                    />
                  </Stack>
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
                  <Typography variant="body2" color="text.secondary">
                    Alert at {Math.round(b.spec.alertThreshold * 100)}% · {b.spec.timezone} · reserved{' '}
                    {usd(b.status?.reservedUSD)} · estimates off by {usd(b.status?.estimateMeanErrorUSD)} on average ·
                    queues {b.queues.join(', ') || 'none'}
                    {b.confirmation.confirmed ? '' : ' · an increase waits for its confirmation'}
                  </Typography>
                  {b.spec.extensions.length > 0 && (
                    <Typography variant="body2">
                      Extensions: {b.spec.extensions.map((x) => `${usd(x.amountUSD)} (${x.reason})`).join(', ')}
                    </Typography>
                  )}
                  <ExtendBudget budget={b} />
                </CardContent>
              </Card>
            ))
          )
        }
      </QueryState>
    </Stack>
  );
}

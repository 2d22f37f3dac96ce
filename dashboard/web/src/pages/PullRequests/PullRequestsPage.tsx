// The review queue: draft pull requests waiting for a person.
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useReviews } from '../../api/queries.ts';
import { usd } from '../../components/format.ts';
import { Empty, QueryState } from '../../components/PageState.tsx';

export default function PullRequestsPage() {
  const reviews = useReviews();
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h1">
        Pull requests
      </Typography>
      <QueryState query={reviews}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No pull request waits for a review." />
          ) : (
            page.items.map((r) => (
              <Card key={r.id} component="article">
                <CardContent>
                  <Typography variant="subtitle1" component="h2" sx={{ fontWeight: 600 }}>
                    <Link href={r.url} target="_blank" rel="noreferrer">
                      {r.storyTitle ?? r.name} #{r.number}
                    </Link>
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    {r.repository} · {r.headBranch} → {r.baseBranch} · {r.draft ? 'draft' : 'ready'} · {r.reviewState}
                    {r.confidence !== null ? ` · confidence ${Math.round(r.confidence * 100)}%` : ''} · {usd(r.costUSD)}
                  </Typography>
                </CardContent>
              </Card>
            ))
          )
        }
      </QueryState>
    </Stack>
  );
}

// Raise a budget for today or this week: an extension, which the server only
// takes confirmed, so the dialog says what it will allow before it is sent.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { BudgetView } from '@nightshift/dashboard/api';
import { api } from '../../api/client.ts';
import { usd } from '../../components/format.ts';

export function ExtendBudget({ budget }: { budget: BudgetView }) {
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState('5');
  const [period, setPeriod] = useState<'Today' | 'ThisWeek'>('Today');
  const [reason, setReason] = useState('');
  const extend = useMutation({
    mutationFn: () =>
      api.extendBudget(budget.namespace, budget.name, {
        resourceVersion: budget.resourceVersion,
        amountUSD: Number(amount),
        period,
        reason: reason.trim(),
      }),
    onSuccess: () => setOpen(false),
  });
  const value = Number(amount);
  const valid = Number.isFinite(value) && value > 0 && reason.trim().length > 0;
  const limit = period === 'Today' ? budget.spec.dailyLimitUSD : budget.spec.weeklyLimitUSD;
  return (
    <>
      <Button variant="outlined" size="small" onClick={() => setOpen(true)} sx={{ justifySelf: 'start' }}>
        Extend
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby={`extend-${budget.uid}`}>
        <DialogTitle id={`extend-${budget.uid}`}>Extend {budget.name}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <TextField
              label="Amount (USD)"
              type="number"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              slotProps={{ htmlInput: { min: 0, step: 1 } }}
            />
            <TextField select label="For" value={period} onChange={(e) => setPeriod(e.target.value as typeof period)}>
              <MenuItem value="Today">Today</MenuItem>
              <MenuItem value="ThisWeek">This week</MenuItem>
            </TextField>
            <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
            <DialogContentText>
              {valid
                ? `This allows ${usd(value)} more ${period === 'Today' ? 'today' : 'this week'}${limit !== undefined ? ` on top of the ${usd(limit)} limit` : ''}. Stories waiting for budget start again.`
                : 'Name an amount and a reason.'}
            </DialogContentText>
            {extend.error && <Alert severity="error">{extend.error.message}</Alert>}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button variant="contained" disabled={!valid} loading={extend.isPending} onClick={() => extend.mutate()}>
            Confirm extension
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

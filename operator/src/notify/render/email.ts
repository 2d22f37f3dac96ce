// A delivery as an email: a subject, an HTML body (tables and inline styles,
// as mail clients need) and the same content as plain text, from one
// template per kind. Every value is escaped; links go into the dashboard.
import type { Notification, NotificationKind, Summary } from '@nightshift/crds/contract';
import type { DashboardLinks } from './links.ts';
import { headline, localTime, percent, storyLabel, usd } from './text.ts';

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

export const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** One piece of content in both forms. */
interface Part {
  html: string;
  text: string;
}
const a = (url: string, label: string): Part => ({
  html: `<a href="${escapeHtml(url)}" style="color:#2454c5">${escapeHtml(label)}</a>`,
  text: `${label} <${url}>`,
});
const t = (text: string): Part => ({ html: escapeHtml(text), text });
const join = (...parts: Part[]): Part => ({
  html: parts.map((p) => p.html).join(''),
  text: parts.map((p) => p.text).join(''),
});
/** Markers from the fonts every client has (emoji are missing in many, e.g. headless Chromium on Debian). */
const MARKERS = {
  done: { char: '✓', color: '#1a7f37' },
  failed: { char: '✗', color: '#cf222e' },
  question: { char: '?', color: '#9a6700' },
  warning: { char: '!', color: '#9a6700' },
  alert: { char: '!', color: '#cf222e' },
  rising: { char: '↗', color: '#9a6700' },
} as const;
type Marker = keyof typeof MARKERS;
const item = (marker: Marker, body: Part): Part => ({
  html: `<tr><td style="padding:8px 10px 8px 0;vertical-align:top;width:22px"><span style="display:inline-block;width:20px;height:20px;line-height:20px;border-radius:10px;text-align:center;font-weight:700;font-size:13px;color:#ffffff;background:${MARKERS[marker].color}">${MARKERS[marker].char}</span></td><td style="padding:8px 0;border-bottom:1px solid #eceef2">${body.html}</td></tr>`,
  text: `- ${body.text}\n`,
});

function itemOf(n: Notification, links: DashboardLinks): Part {
  switch (n.kind) {
    case 'StoryCompleted':
      return item(
        'done',
        join(
          a(links.story(n.story.namespace, n.story.name), storyLabel(n.story)),
          t(' — draft pull request '),
          a(n.pullRequest.url, `#${n.pullRequest.number}`),
          t(
            (n.confidence !== undefined ? `, confidence ${percent(n.confidence)}` : '') +
              (n.costUSD !== undefined ? `, ${usd(n.costUSD)}` : ''),
          ),
        ),
      );
    case 'StoryFailed':
    case 'StoryStuck':
      return item(
        n.kind === 'StoryFailed' ? 'failed' : 'warning',
        join(a(links.story(n.story.namespace, n.story.name), storyLabel(n.story)), t(` — ${n.reason}: ${n.message}`)),
      );
    case 'DecisionNeeded':
      return item(
        'question',
        join(
          t(`${n.decision.question} — `),
          a(links.decision(n.decision.id), 'answer it'),
          t(
            ` (${n.story.namespace}/${n.story.name}` +
              (n.decision.options.length ? `; options: ${n.decision.options.join(', ')}` : '') +
              (n.decision.recommendation ? `; recommended: ${n.decision.recommendation}` : '') +
              ')',
          ),
        ),
      );
    case 'BudgetThreshold':
    case 'BudgetExceeded':
      if (n.budget) {
        return item(
          n.kind === 'BudgetExceeded' ? 'alert' : 'rising',
          join(
            a(links.budget(n.budget.namespace, n.budget.name), `${n.budget.namespace}/${n.budget.name}`),
            t(
              `: ${n.message}` +
                (n.spentUSD !== undefined && n.limitUSD !== undefined
                  ? ` (${usd(n.spentUSD)} of ${usd(n.limitUSD)} ${n.scope})`
                  : ''),
            ),
          ),
        );
      }
      if (n.kind === 'BudgetThreshold' || !n.story) return item('alert', t(n.message));
      return item(
        'alert',
        join(
          a(links.story(n.story.namespace, n.story.name), storyLabel(n.story)),
          t(
            ` paused: ${n.message}` +
              (n.maxCostUSD !== undefined ? ` (cap ${usd(n.maxCostUSD)}; raise spec.maxCostUSD to resume)` : ''),
          ),
        ),
      );
    case 'RepeatedFailures':
      return item(
        'alert',
        join(
          n.queue
            ? a(links.queue(n.queue.namespace, n.queue.name), `Queue ${n.queue.namespace}/${n.queue.name}`)
            : a(links.story(n.story!.namespace, n.story!.name), storyLabel(n.story!)),
          t(`: ${n.message}`),
          t(n.failures.length ? ` (${n.failures.map((f) => `${f.name}: ${f.reason}`).join('; ')})` : ''),
        ),
      );
    case 'DailySummary':
    case 'WeeklyReport':
      return summaryOf(n.summary, links);
  }
}

const heading = (text: string): Part => ({
  html: `<h2 style="font-size:15px;margin:22px 0 6px;color:#1b1f2a">${escapeHtml(text)}</h2>`,
  text: `\n${text}\n`,
});
const list = (rows: Part[], empty: string): Part =>
  rows.length
    ? {
        html: `<table role="presentation" style="border-collapse:collapse;width:100%">${rows.map((r) => r.html).join('')}</table>`,
        text: rows.map((r) => r.text).join(''),
      }
    : { html: `<p style="color:#6b7280;margin:4px 0">${escapeHtml(empty)}</p>`, text: `${empty}\n` };

function summaryOf(s: Summary, links: DashboardLinks): Part {
  const stat = (value: string, label: string) =>
    `<td style="padding:12px;text-align:center;background:#f4f6fa;border-radius:6px"><div style="font-size:22px;font-weight:600;color:#1b1f2a">${escapeHtml(value)}</div><div style="font-size:12px;color:#6b7280">${escapeHtml(label)}</div></td>`;
  const stats: Part = {
    html: `<table role="presentation" style="border-collapse:separate;border-spacing:6px;width:100%;margin:8px 0"><tr>${[
      stat(String(s.completed.length), 'completed'),
      stat(String(s.failed.length), 'failed'),
      stat(String(s.waiting.length), 'waiting for you'),
      stat(String(s.started), 'started'),
      stat(usd(s.spentUSD), 'spent'),
    ].join('')}</tr></table>`,
    text: `${s.completed.length} completed, ${s.failed.length} failed, ${s.waiting.length} waiting for you, ${s.started} started, ${usd(s.spentUSD)} spent\n`,
  };
  const period = t(`${localTime(s.start, s.timeZone)} to ${localTime(s.end, s.timeZone)}`);
  const parts = [
    { html: `<p style="color:#6b7280;margin:0">${period.html}</p>`, text: `${period.text}\n` },
    stats,
    heading('Completed'),
    list(
      s.completed.map((c) =>
        item(
          'done',
          join(
            a(links.story(c.namespace, c.name), storyLabel(c)),
            ...(c.pullRequestURL ? [t(' — '), a(c.pullRequestURL, 'pull request')] : []),
            t(` · ${localTime(c.at, s.timeZone)}`),
          ),
        ),
      ),
      'No story completed.',
    ),
    heading('Failed'),
    list(
      s.failed.map((f) =>
        item(
          'failed',
          join(
            a(links.story(f.namespace, f.name), storyLabel(f)),
            t(` — ${f.reason ?? 'failed'} · ${localTime(f.at, s.timeZone)}`),
          ),
        ),
      ),
      'No story failed.',
    ),
    heading('Waiting for you'),
    list(
      s.waiting.map((w) =>
        item(
          'question',
          join(
            a(links.decision(w.id), w.question),
            t(` (${w.namespace}/${w.name}, asked ${localTime(w.askedAt, s.timeZone)})`),
          ),
        ),
      ),
      'No question is waiting.',
    ),
  ];
  if (s.perDay) {
    const rows = s.perDay.map((d) => ({
      html: `<tr><td style="padding:4px 12px 4px 0">${escapeHtml(d.date)}</td><td style="padding:4px 12px">${d.completed}</td><td style="padding:4px 12px">${d.failed}</td><td style="padding:4px 0">${escapeHtml(usd(d.spentUSD))}</td></tr>`,
      text: `${d.date}: ${d.completed} completed, ${d.failed} failed, ${usd(d.spentUSD)}\n`,
    }));
    parts.push(heading('Day by day'), {
      html: `<table role="presentation" style="border-collapse:collapse"><tr style="color:#6b7280;font-size:12px"><td>day</td><td style="padding:0 12px">completed</td><td style="padding:0 12px">failed</td><td>spent</td></tr>${rows.map((r) => r.html).join('')}</table>`,
      text: rows.map((r) => r.text).join(''),
    });
  }
  return join(...parts);
}

export function emailMessage(
  delivery: { kind: NotificationKind; notifications: Notification[] },
  links: DashboardLinks,
  recipient: string,
): EmailContent {
  const title = headline(delivery.kind, delivery.notifications);
  const digest = delivery.kind === 'DailySummary' || delivery.kind === 'WeeklyReport';
  const body = digest
    ? itemOf(delivery.notifications[0]!, links)
    : list(
        delivery.notifications.map((n) => itemOf(n, links)),
        '',
      );
  const footer = join(
    t('Sent by Nightshift to '),
    t(recipient),
    t('. '),
    a(links.home(), 'Open the dashboard'),
    t(' · '),
    a(links.unsubscribe(recipient), 'unsubscribe'),
  );
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#eef0f4;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1b1f2a">
<table role="presentation" style="width:100%;border-collapse:collapse"><tr><td style="padding:24px 12px">
<table role="presentation" style="max-width:640px;margin:0 auto;background:#ffffff;border-radius:8px;border-collapse:separate;width:100%">
<tr><td style="padding:20px 24px;background:#1b1f2a;color:#ffffff;border-radius:8px 8px 0 0;font-size:13px;letter-spacing:.08em">NIGHTSHIFT</td></tr>
<tr><td style="padding:20px 24px">
<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(title)}</h1>
${body.html}
</td></tr>
<tr><td style="padding:14px 24px;font-size:12px;color:#6b7280;border-top:1px solid #eceef2">${footer.html}</td></tr>
</table></td></tr></table>
</body></html>
`;
  const text = `${title}\n${'='.repeat(Math.min(title.length, 72))}\n\n${body.text}\n--\n${footer.text}\n`;
  return { subject: title, html, text };
}

// The notifier's secrets, read at start from the files a Kubernetes Secret is
// mounted as (the config names the files, never the values): each recipient's
// Slack webhook URL, the SMTP URL, credentials and CA. A missing or malformed
// one stops the operator with the field named; the values are never logged
// or recorded (daemon_runs records the config, which holds only the paths).
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load.ts';
import type { NotificationsConfig } from '../config/notifications.ts';
import type { SmtpSettings } from './channels/email.ts';

export interface NotifierSecrets {
  slackWebhookURLs: Map<string, string>;
  smtp?: SmtpSettings;
}

function readSecret(file: string, field: string): string {
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${field}: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!value) throw new ConfigError(`invalid configuration:\n  ${field}: ${file} is empty`);
  return value;
}

function checkURL(value: string, field: string, file: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`invalid configuration:\n  ${field}: ${file} does not hold a URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      `invalid configuration:\n  ${field}: ${file} holds a ${url.protocol} URL; expected ${protocols.join(' or ')}`,
    );
  }
}

/** Where notifications link to: notifications.dashboardURL, else runner.dashboardURL; required once anyone is notified. */
export function notificationsDashboardURL(config: NotificationsConfig, runnerDashboardURL: string | undefined): string {
  const url = config.dashboardURL ?? runnerDashboardURL;
  if (url) return url;
  if (config.recipients.length === 0) return 'http://localhost/';
  throw new ConfigError(
    'invalid configuration:\n  notifications.dashboardURL: required for the links in notifications (or set runner.dashboardURL)',
  );
}

export function readNotifierSecrets(config: NotificationsConfig): NotifierSecrets {
  const secrets: NotifierSecrets = { slackWebhookURLs: new Map() };
  config.recipients.forEach((recipient, i) => {
    if (!recipient.slack) return;
    const field = `notifications.recipients.${i}.slack.webhookURLFile`;
    const url = readSecret(recipient.slack.webhookURLFile, field);
    checkURL(url, field, recipient.slack.webhookURLFile, ['https:', 'http:']);
    secrets.slackWebhookURLs.set(recipient.name, url);
  });
  const email = config.email;
  if (email) {
    const url = readSecret(email.smtpURLFile, 'notifications.email.smtpURLFile');
    checkURL(url, 'notifications.email.smtpURLFile', email.smtpURLFile, ['smtp:', 'smtps:']);
    secrets.smtp = {
      url,
      from: email.from,
      requireTLS: email.requireTLS,
      ...(email.usernameFile ? { username: readSecret(email.usernameFile, 'notifications.email.usernameFile') } : {}),
      ...(email.passwordFile ? { password: readSecret(email.passwordFile, 'notifications.email.passwordFile') } : {}),
      ...(email.caFile ? { ca: readSecret(email.caFile, 'notifications.email.caFile') } : {}),
    };
  }
  return secrets;
}

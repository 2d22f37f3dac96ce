import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.ts';
import { redactConfig } from '../config/redact.ts';
import { notificationsDashboardURL, readNotifierSecrets } from './secrets.ts';

const dir = mkdtempSync(join(tmpdir(), 'ns-notify-secrets-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const config = (yaml: string) => loadConfig({ file: file(`c-${Math.random()}.yaml`, yaml), env: {} });

describe('notifications configuration', () => {
  it('names the field of a bad value at start', () => {
    const bad: [string, RegExp][] = [
      [
        'notifications: { recipients: [{ name: a, email: { to: nope } }] }',
        /notifications\.recipients\.0\.email\.to .*must be an email address/,
      ],
      [
        'notifications: { recipients: [{ name: a, slack: { webhookURLFile: /x }, timeZone: Mars/Base }] }',
        /notifications\.recipients\.0\.timeZone .*IANA time zone/,
      ],
      [
        'notifications: { recipients: [{ name: a, slack: { webhookURLFile: /x }, quietHours: { start: "25:00", end: "07:00" } }] }',
        /quietHours\.start .*HH:MM/,
      ],
      [
        'notifications: { recipients: [{ name: a }] }',
        /notifications\.recipients\.0\.slack .*exactly one of slack or email/,
      ],
      [
        'notifications: { recipients: [{ name: a, email: { to: a@b.co } }] }',
        /notifications\.recipients\.0\.email .*needs notifications\.email/,
      ],
      [
        'notifications: { recipients: [{ name: a, events: [Everything], slack: { webhookURLFile: /x } }] }',
        /notifications\.recipients\.0\.events\.0/,
      ],
    ];
    for (const [yaml, message] of bad) {
      assert.throws(
        () => config(yaml),
        (e: Error) => e instanceof ConfigError && message.test(e.message),
        yaml,
      );
    }
  });

  it('reads the webhook URL and SMTP credentials from their files, and checks them', () => {
    const c = config(`notifications:
  email: { smtpURLFile: ${file('smtp', 'smtp://relay.example.com:587\n')}, passwordFile: ${file('pw', 's3cret\n')}, usernameFile: ${file('user', 'bot')}, from: n@example.com }
  recipients:
    - { name: team, slack: { webhookURLFile: ${file('hook', 'https://hooks.slack.com/services/T/B/x\n')} } }
    - { name: ana, email: { to: ana@example.com } }
`);
    const secrets = readNotifierSecrets(c.notifications);
    assert.equal(secrets.slackWebhookURLs.get('team'), 'https://hooks.slack.com/services/T/B/x');
    assert.deepEqual(
      [secrets.smtp?.url, secrets.smtp?.username, secrets.smtp?.password],
      ['smtp://relay.example.com:587', 'bot', 's3cret'],
    );
    // What daemon_runs records and the logs show: file paths, never the values.
    const recorded = JSON.stringify(redactConfig(c));
    assert.ok(!recorded.includes('s3cret') && !recorded.includes('hooks.slack.com'));
  });

  it('a missing secret file, or one that is not a URL of the right kind, names the field', () => {
    const missing = config(
      'notifications: { recipients: [{ name: team, slack: { webhookURLFile: /nonexistent/hook } }] }',
    );
    assert.throws(
      () => readNotifierSecrets(missing.notifications),
      /notifications\.recipients\.0\.slack\.webhookURLFile: cannot read \/nonexistent\/hook/,
    );
    const wrong = config(
      `notifications: { email: { smtpURLFile: ${file('bad-smtp', 'https://relay')}, from: n@example.com }, recipients: [] }`,
    );
    assert.throws(
      () => readNotifierSecrets(wrong.notifications),
      /notifications\.email\.smtpURLFile: .* holds a https: URL; expected smtp: or smtps:/,
    );
  });

  it('links need a dashboard URL once anyone is notified', () => {
    const c = config(`notifications: { recipients: [{ name: team, slack: { webhookURLFile: /x } }] }`);
    assert.throws(() => notificationsDashboardURL(c.notifications, undefined), /notifications\.dashboardURL: required/);
    assert.equal(notificationsDashboardURL(c.notifications, 'https://dash.example.com'), 'https://dash.example.com');
  });
});

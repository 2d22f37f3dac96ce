// Debian's Chromium driven by playwright-core, at the two sizes the app is
// built for, with an axe-core check and screenshots saved as test artifacts
// (dashboard/web/test-artifacts/screenshots/).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../../../hack/test/harness.ts';

export const ARTIFACTS = join(REPO_ROOT, 'dashboard', 'web', 'test-artifacts');
export const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
export const SIZES = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1440, height: 900 },
} as const;
export type Size = keyof typeof SIZES;

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.NIGHTSHIFT_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}

/** A browser context at that size; with a token it starts logged in. */
export async function openContext(
  browser: Browser,
  size: Size,
  options: { token?: string; colorScheme?: 'light' | 'dark'; axe?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: SIZES[size],
    deviceScaleFactor: 1,
    colorScheme: options.colorScheme ?? 'light',
    // axe-core goes in as a script tag the server's CSP refuses: only the pages it checks bypass it.
    bypassCSP: options.axe ?? false,
  });
  context.setDefaultTimeout(30_000);
  if (options.token) {
    await context.addInitScript((token) => localStorage.setItem('nightshift.token', token), options.token);
  }
  return context;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The serious and critical accessibility violations axe-core finds on the page as it is. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export const describeViolations = (violations: AxeViolation[]) =>
  violations
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    .join('\n');

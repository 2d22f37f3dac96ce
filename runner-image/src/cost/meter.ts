// Every model call goes through the meter: its worst case is reserved against
// the story's cap and every Budget window it draws on before the call
// (refused when it does not fit, or when it cannot be bounded), settled to the
// priced usage after it, and recorded as an AgentCall event; the session's
// cost_usd follows the settled total.
import { RUNNER_ENV } from '@nightshift/crds/contract';
import type { BudgetLedger } from '@nightshift/crds/ledger';
import { BudgetExceeded } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { EventSink } from '../records/events.ts';
import type { Pricing, TokenUsage } from './pricing.ts';

export interface ModelCall {
  step: string;
  purpose: string;
  model: string;
  provider: string | undefined;
  /** UTF-8 byte length of everything sent (messages, tools, system prompt). */
  requestBytes: number;
  /** The max_tokens sent with the request. */
  maxTokens: number;
  /** How long the reservation may stay open: longer than the call can take, retries included. */
  ttlSeconds?: number;
}

export interface MeteredResult<T> {
  value: T;
  /** undefined when the provider reported none: the call is settled at its worst case. */
  usage: TokenUsage | undefined;
  /** false: the provider refused the request and bills nothing (the reservation is released). */
  billed?: boolean;
}

export interface Reservation {
  id: string;
  amountUSD: number;
  /** Settles to the real cost (null: nothing was spent) and refreshes the session's total. */
  settle(actualUSD: number | null): Promise<void>;
}

export interface MeterDeps {
  ledger: BudgetLedger;
  pricing: Pricing;
  events: EventSink;
  log: Logger;
  onCostChanged: (settledTotalUSD: number) => Promise<void>;
}

export class CostMeter {
  private readonly deps: MeterDeps;
  private costUpdate: Promise<void> = Promise.resolve();

  constructor(deps: MeterDeps) {
    this.deps = deps;
  }

  get pricing(): Pricing {
    return this.deps.pricing;
  }

  get ledger(): BudgetLedger {
    return this.deps.ledger;
  }

  /** Reserves amountUSD or throws BudgetExceeded saying why. */
  async reserve(
    step: string,
    purpose: string,
    amountUSD: number,
    what: string,
    ttlSeconds?: number,
  ): Promise<Reservation> {
    const reserved = await this.deps.ledger.reserve(amountUSD, purpose, ttlSeconds);
    if ('refused' in reserved) {
      const { refused } = reserved;
      const message = `refused ${what}: ${refused.message}`;
      await this.deps.events.record({
        type: 'BudgetRefused',
        step,
        message,
        data: {
          purpose,
          worstCaseUSD: amountUSD,
          scope: refused.scope,
          ...(refused.scope === 'story' ? {} : { budget: refused.key }),
          window: { limitUSD: refused.limitUSD, spentUSD: refused.spentUSD, reservedUSD: refused.reservedUSD },
        },
      });
      throw new BudgetExceeded(message, {
        scope: refused.scope,
        budget: refused.scope === 'story' ? undefined : refused.key,
        neededUSD: amountUSD,
      });
    }
    const { id } = reserved;
    return {
      id,
      amountUSD,
      settle: async (actualUSD) => {
        if (!(await this.deps.ledger.settle(id, actualUSD))) {
          this.deps.log.error(
            { reservationId: id, actualUSD },
            `the reservation outlived its TTL and was charged its worst case as unconfirmed before this settlement (raise ${RUNNER_ENV.reservationTTLSeconds})`,
          );
        }
        await this.refreshCost();
      },
    };
  }

  /** Runs one model call under a reservation of its worst case. */
  async call<T>(call: ModelCall, fn: () => Promise<MeteredResult<T>>): Promise<T> {
    const worstCase = this.deps.pricing.worstCase(call.model, call.provider, call.requestBytes, call.maxTokens);
    const what = `a ${call.purpose} call to ${call.model}`;
    if (worstCase === undefined) {
      const message =
        `refused ${what}: its cost cannot be bounded because no price is known for model ` +
        `"${call.model}"${call.provider ? ` (provider ${call.provider})` : ''}; set its price in ${RUNNER_ENV.modelPrices}`;
      await this.deps.events.record({
        type: 'BudgetRefused',
        step: call.step,
        message,
        data: { ...call, scope: 'unpriced' },
      });
      throw new BudgetExceeded(message, { scope: 'unpriced' });
    }
    const reservation = await this.reserve(call.step, call.purpose, worstCase, what, call.ttlSeconds);
    const started = Date.now();
    let result: MeteredResult<T>;
    try {
      result = await fn();
    } catch (error) {
      // A failed request is not billed by the providers; release what was held.
      await reservation.settle(null);
      throw error;
    }
    if (result.billed === false) {
      await reservation.settle(null);
      return result.value;
    }
    const priced = result.usage ? this.deps.pricing.price(call.model, call.provider, result.usage) : undefined;
    if (priced === undefined) {
      this.deps.log.warn({ model: call.model }, 'model call reported no usage: settled at its worst case');
    }
    const cost = priced ?? worstCase;
    if (cost > worstCase) {
      this.deps.log.warn({ model: call.model, cost, worstCase }, 'model call cost more than its bound');
    }
    await reservation.settle(cost);
    await this.deps.events.record({
      type: 'AgentCall',
      step: call.step,
      message: `${call.purpose}: ${call.model}`,
      data: {
        purpose: call.purpose,
        model: call.model,
        provider: call.provider ?? null,
        inputTokens: result.usage?.input_tokens ?? null,
        outputTokens: result.usage?.output_tokens ?? null,
        cacheReadTokens: result.usage?.cache_read_tokens ?? 0,
        cacheWriteTokens: result.usage?.cache_write_tokens ?? 0,
        costUSD: cost,
        reservedUSD: worstCase,
        durationMs: Date.now() - started,
        reservationId: reservation.id,
      },
    });
    return result.value;
  }

  /** Serialized, so a slower refresh never overwrites a newer total. */
  private refreshCost(): Promise<void> {
    this.costUpdate = this.costUpdate
      .catch(() => undefined)
      .then(async () => this.deps.onCostChanged(await this.deps.ledger.settledTotal()));
    return this.costUpdate;
  }
}

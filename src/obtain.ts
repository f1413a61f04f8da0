// Every target's credentials at once, each from its own source. The step fails with the first target
// that fails, and the others stop retrying.
import { exchange, type ExchangeSettings } from './exchange.ts';
import type { RetryEvent } from './retry.ts';
import type { Target } from './sources/pick.ts';
import type { Source } from './sources/source.ts';
import type { Credentials, Identity, Sts } from './sts.ts';

export interface Obtained {
  target: Target;
  /** The source that obtained them: the target's `first` when it was valid, else its `source`. */
  source: Source;
  value: Credentials | Identity;
  attempts: number;
}

/** The target that failed first, for the diagnosis. */
export class TargetFailure extends Error {
  override readonly cause: unknown;
  readonly target: Target;
  constructor(target: Target, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'TargetFailure';
    this.target = target;
    this.cause = cause;
  }
}

export interface ObtainOptions {
  /** The STS client of each target's region. */
  sts: (target: Target) => Sts;
  settings: ExchangeSettings;
  onRetry: (event: RetryEvent) => void;
  /** Says which way a target with a `first` source went. */
  onNotice: (message: string) => void;
}

export async function obtain(targets: Target[], { sts, settings, onRetry, onNotice }: ObtainOptions): Promise<Obtained[]> {
  const firstFailure = new AbortController();
  return Promise.all(
    targets.map(async (target) => {
      if (target.first) {
        try {
          const { value, attempts } = await exchange({ source: target.first, sts: sts(target), settings: { ...settings, maxAttempts: 1 } });
          onNotice(`${target.first.label} are valid: no new credentials needed`);
          return { target, source: target.first, value, attempts };
        } catch (error) {
          onNotice(`${target.first.label} are not valid (${error instanceof Error ? error.message : String(error)}): obtaining new ones`);
        }
      }
      try {
        const { value, attempts } = await exchange({ source: target.source, sts: sts(target), settings, onRetry, signal: firstFailure.signal });
        return { target, source: target.source, value, attempts };
      } catch (error) {
        if (firstFailure.signal.aborted) throw error;
        firstFailure.abort();
        throw new TargetFailure(target, error);
      }
    }),
  );
}

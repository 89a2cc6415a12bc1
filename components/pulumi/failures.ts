// Errors the components raise once an Input resolves, inside an Output's apply. An apply that throws
// rejects its Output and every Output derived from it, and nothing else: the callback of a later
// `apply` never runs. Under `pulumi up` and `preview` the language host reports the rejection (once per
// Error object: @pulumi/pulumi cmd/run/run.js, uncaughtHandler). Under Pulumi's mocks there is no
// language host: mocha re-emits an unhandled rejection to no listener (mocha lib/runner.js, unhandled),
// so a test awaiting an output (`new Promise((resolve) => output.apply(resolve))`, as the README's)
// waited for its timeout and never showed the message. So under mocks the error is also thrown as an
// uncaught exception, which the test runner gives the running test; a test that expects it takes it
// with `nextComponentError()` instead.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

/** Errors already reported: one error fails many Outputs, and is reported once. */
const reported = new WeakSet<object>();

/** What a test expecting errors holds while it runs: the errors so far, the first one when it comes. */
export interface ComponentErrors {
  /** Every error raised since, in order. */
  readonly errors: Error[];
  /** The first error raised since. */
  readonly first: Promise<Error>;
  /** Errors raised after this fail the running test again. */
  stop(): void;
}

/** The tests' catchers, newest last: the newest takes an error. */
const catchers: { take(error: Error): void }[] = [];

const underMocks = (): boolean => pulumi.runtime.getMonitor() instanceof MockMonitor;

function report(error: unknown): void {
  if (!(error instanceof Error) || reported.has(error)) return;
  reported.add(error);
  if (!underMocks()) return; // the language host reports the rejection
  const catcher = catchers[catchers.length - 1];
  if (catcher) catcher.take(error);
  else
    process.nextTick(() => {
      throw error;
    });
}

/**
 * `compute` as an apply's callback whose error, if it throws one, fails the program: under mocks the
 * running test, with the error's message, within the tick; otherwise as the Output's rejection.
 */
export function failFast<A, R>(compute: (value: A) => R): (value: A) => R {
  return (value) => {
    try {
      return compute(value);
    } catch (error) {
      report(error);
      throw error;
    }
  };
}

/**
 * Under Pulumi's mocks, for a test that expects errors: the errors the components raise once an Input
 * resolves (e.g. a ComponentArgsError naming the arg) go here until `stop()`, and fail no test.
 */
export function catchComponentErrors(): ComponentErrors {
  const errors: Error[] = [];
  let resolveFirst: (error: Error) => void = () => undefined;
  const first = new Promise<Error>((resolve) => (resolveFirst = resolve));
  const catcher = {
    take(error: Error) {
      errors.push(error);
      resolveFirst(error);
    },
  };
  catchers.push(catcher);
  const stop = () => {
    const at = catchers.indexOf(catcher);
    if (at >= 0) catchers.splice(at, 1);
  };
  return { errors, first, stop };
}

/**
 * Under Pulumi's mocks, the next error a component raises once an Input resolves, for a test that
 * expects one; that error fails no test, the ones after it do. Call it before constructing the component.
 *
 * ```ts
 * const failure = nextComponentError();
 * new DeliberateImageBuilds("app", { ...args, namespace: pulumi.output("Not_A_Label") });
 * assert.match((await failure).message, /args\.namespace/);
 * ```
 */
export function nextComponentError(): Promise<Error> {
  const caught = catchComponentErrors();
  return caught.first.then((error) => {
    caught.stop();
    return error;
  });
}

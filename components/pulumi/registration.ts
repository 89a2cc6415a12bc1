/**
 * Runs `register` with V8's stack-trace capture off, and returns what it returns.
 *
 * The Pulumi SDK records a stack trace on every promise it makes (several per resource: one per output
 * property) for its leaked-promise report alone. Formatting those traces was over a third of evaluating
 * a 100-app stack. Resource source positions are unaffected: the SDK lifts the limit itself while it
 * records them. With PULUMI_DEBUG_PROMISE_LEAKS set, as when chasing a leak, the traces are kept.
 */
export function withoutPromiseStackTraces<T>(register: () => T, env: NodeJS.ProcessEnv = process.env): T {
  if (env.PULUMI_DEBUG_PROMISE_LEAKS) return register();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return register();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

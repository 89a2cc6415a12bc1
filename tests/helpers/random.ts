// Random test inputs from a seed, so a failure can be replayed.

/** A deterministic source of random DNS labels, so a failure can be replayed. */
export function labels(seed: number): (length: number) => string {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state / 2 ** 31);
  const pick = (chars: string) => chars[Math.floor(next() * chars.length)];
  return (length) =>
    Array.from({ length }, (_, i) => (i === 0 || i === length - 1 ? pick("abcdefghijklmnopqrstuvwxyz0123456789") : pick("abcdefghijklmnopqrstuvwxyz0123456789-"))).join("");
}

/** Polls `test` every 25 ms until it holds; fails after `ms` with `what` and `detail()`. Never a fixed sleep. */
export async function until(test: () => boolean, what: string, detail: () => string = () => '', ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

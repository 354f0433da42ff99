/** Waits until `condition` holds, looking every `stepMs`, for at most `ms`; says whether it came true. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  ms: number,
  stepMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return true;
}

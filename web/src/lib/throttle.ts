/** Runs `fn` at most once per `ms`: at once, then once more at the end of the window if asked again meanwhile. */
export function throttle(fn: () => void, ms: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  const run = () => {
    pending = false;
    fn();
    timer = setTimeout(() => {
      timer = undefined;
      if (pending) run();
    }, ms);
  };
  const throttled = () => {
    if (timer === undefined) run();
    else pending = true;
  };
  throttled.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    pending = false;
  };
  return throttled;
}

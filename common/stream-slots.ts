/** How many event streams each user holds open in this process: one more than the limit is refused. */
import { RateLimitedError } from "./errors.ts";

/** Seconds a refused client is told to wait: streams free their place as soon as they close. */
const RETRY_AFTER_SECONDS = 5;

export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerUser: number) {}

  /** Takes a place for `user` or throws 429 `too_many_streams`; call the result once the stream ends. */
  take(user: string): () => void {
    const count = this.open.get(user) ?? 0;
    if (count >= this.maxPerUser) {
      throw new RateLimitedError(
        `You have ${count} event streams open (at most ${this.maxPerUser}); close one first`,
        RETRY_AFTER_SECONDS,
        "too_many_streams",
      );
    }
    this.open.set(user, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(user) ?? 1) - 1;
      if (left > 0) this.open.set(user, left);
      else this.open.delete(user);
    };
  }
}

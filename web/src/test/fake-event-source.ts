/** An `EventSource` the test drives: `FakeEventSource.last(url).emit("builds", {...})`. */
export class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];

  readonly url: string;
  readonly withCredentials: boolean;
  readyState = FakeEventSource.CONNECTING;
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;

  constructor(url: string | URL, init?: EventSourceInit) {
    super();
    this.url = String(url);
    this.withCredentials = init?.withCredentials ?? false;
    FakeEventSource.instances.push(this);
  }

  static reset(): void {
    FakeEventSource.instances = [];
  }

  /** The open source for a URL (the newest one, after reconnects). */
  static open(url: string): FakeEventSource {
    const source = [...FakeEventSource.instances].reverse().find((s) => s.url === url && s.readyState !== 2);
    if (!source) {
      const known = FakeEventSource.instances.map((s) => `${s.url} (${s.readyState})`).join(", ");
      throw new Error(`no open EventSource for ${url}; have: ${known || "none"}`);
    }
    return source;
  }

  static isOpen(url: string): boolean {
    return FakeEventSource.instances.some((s) => s.url === url && s.readyState !== 2);
  }

  connect(): void {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.(new Event("open"));
  }

  emit(type: string, data: unknown, lastEventId = ""): void {
    this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data), lastEventId }));
  }

  /** A dropped connection the browser will retry (`closed: false`) or has given up on. */
  fail({ closed = false } = {}): void {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.onerror?.(new Event("error"));
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
}

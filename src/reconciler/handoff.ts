// The operator's own share of a stage hand-off, from its own timestamps: the
// moment its pod watch delivered "a build pod of this ImageBuild finished" to
// the moment it sends the create request of the build's next stage Job.
// Everything before (kubelet, API server, watch) and after (the API server
// storing the Job) is someone else's latency. With several stages finishing
// in one build the first Job created after them takes the earliest finish.

export class HandoffTimer {
  private readonly finished = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** A build pod of the ImageBuild `key` reached a final phase (first report wins). */
  podFinished(key: string): void {
    if (!this.finished.has(key)) this.finished.set(key, this.now());
  }

  /** Milliseconds since the earliest unclaimed pod finish of `key`, claiming it; undefined when none. */
  claim(key: string): number | undefined {
    const at = this.finished.get(key);
    if (at === undefined) return undefined;
    this.finished.delete(key);
    return this.now() - at;
  }

  /** A stage that finished without a next Job (the build is done or waits): no hand-off to time. */
  drop(key: string): void {
    this.finished.delete(key);
  }
}

/**
 * Runs the writes to one document one after another within this process.
 *
 * Why: FerretDB 1.x (the test and embedded database) does not apply an update's filter and its
 * change atomically, so two concurrent compare-and-set updates on `version` can both match and one
 * change is lost (measured: 10 concurrent `updateOne({_id, version: 1})` matched up to 10 times).
 * Embedded, each service runs as one process, and queueing here makes the compare-and-set hold;
 * on MongoDB, with several replicas, the compare-and-set itself is atomic.
 */
export class WriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, write: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(write, write);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

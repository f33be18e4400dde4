/**
 * Names ready to run, first in first out, each at most once. An array with a moving head and a
 * set of members: push, shift, has and delete are O(1). (An array's includes/indexOf/shift made
 * a start with N due certificates cost O(N²): 100,000 names due at once took minutes.)
 */
export class ReadyQueue {
  private queue: string[] = [];
  private head = 0;
  private readonly members = new Set<string>();

  get size(): number {
    return this.members.size;
  }

  push(name: string): void {
    if (this.members.has(name)) return;
    this.members.add(name);
    this.queue.push(name);
  }

  /** The oldest member; entries of names deleted meanwhile are skipped. */
  shift(): string | undefined {
    while (this.head < this.queue.length) {
      const name = this.queue[this.head++]!;
      if (this.members.delete(name)) {
        this.compact();
        return name;
      }
    }
    this.compact();
    return undefined;
  }

  delete(name: string): void {
    this.members.delete(name);
  }

  /** Drops the consumed part once it is most of the array, so memory follows what is queued. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

// What a per-partition exactly-once processor (stream totals, stream enrich) keeps of the input
// partitions it owns: each one's own state and the next offset to read. The processors add what
// their state holds; the bookkeeping of which partitions and where they stand is this, once.

export abstract class OwnedPartitions<P extends { next: number }> {
  protected readonly owned = new Map<number, P>();

  get partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  owns(partition: number): boolean {
    return this.owned.has(partition);
  }

  /** The next offset to read of an owned partition. */
  next(partition: number): number | undefined {
    return this.owned.get(partition)?.next;
  }

  /** True when every owned partition is read up to its offset in `ends` (--until-end). */
  readTo(ends: ReadonlyMap<number, number>): boolean {
    for (const [partition, p] of this.owned) if (p.next < (ends.get(partition) ?? 0)) return false;
    return true;
  }

  /** A record of an owned partition that counts for nothing (malformed): the position moves on. */
  skip(partition: number, offset: number): void {
    const p = this.owned.get(partition);
    if (p) p.next = offset + 1;
  }

  /** Gives a partition up: its uncommitted work is void. */
  disown(partition: number): void {
    this.owned.delete(partition);
  }
}

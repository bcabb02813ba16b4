/**
 * An index from string ids to the numbers (0, 1, 2…) of what they name, for ids counted in
 * millions (a tenant's orders): open addressing over one Int32Array of (hash, number + 1) pairs.
 * The ids themselves stay where they are: `ids.idOf(number)` gives the id of a number to confirm
 * a match whose hash is the same.
 *
 * Why not a Map: at millions of entries, a Map's lookup and insertion are a few cache misses
 * each (its buckets, its entries, the key's string to compare), and its backing store is one
 * huge array of pointers the garbage collector traces at every major collection. Here a lookup
 * of an id that is not there (every new order) reads one slot, and the table holds no pointers.
 * The hash is FNV-1a with a final mix; a tenant who chose ids to collide would slow only its own
 * engine (each tenant has its own), never change what it computes.
 */
export class IdIndex {
  /** Pairs of (hash, number + 1); number + 1 = 0 marks an empty slot. */
  #slots = new Int32Array(2 * 1024);
  #mask = 1023;
  #size = 0;
  /** The last id looked up and not found, and its hash: a new order is looked up, then added. */
  #missed: string | null = null;
  #missedHash = 0;

  constructor(private readonly ids: { idOf(number: number): string }) {}

  get size(): number {
    return this.#size;
  }

  /** The number of `id`, or −1 when it has none. */
  get(id: string): number {
    const hash = hashOf(id);
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[2 * slot + 1]!;
      if (entry === 0) {
        this.#missed = id;
        this.#missedHash = hash;
        return -1;
      }
      if (slots[2 * slot] === hash && this.ids.idOf(entry - 1) === id) return entry - 1;
    }
  }

  /** Gives `id` (which has none yet) the number `number`. */
  add(id: string, number: number): void {
    if (2 * (this.#size + 1) > this.#mask + 1) this.#grow();
    this.#place(id === this.#missed ? this.#missedHash : hashOf(id), number + 1);
    this.#missed = null;
    this.#size += 1;
  }

  #place(hash: number, entry: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = hash & mask;
    while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    slots[2 * slot] = hash;
    slots[2 * slot + 1] = entry;
  }

  /** Doubles the table (kept at most half full), placing every entry again by its kept hash. */
  #grow(): void {
    const old = this.#slots;
    this.#slots = new Int32Array(old.length * 2);
    this.#mask = this.#mask * 2 + 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.#place(old[i]!, old[i + 1]!);
  }
}

/** FNV-1a over the UTF-16 code units, then murmur3's final mix (the slot comes from the low bits). */
export function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

import { hashOf } from './id-index.ts';

/**
 * Members by id, for networks of millions: open addressing over one array of (hash, member)
 * pairs side by side, at most half full.
 *
 * Why not a Map: an order looks its buyer up by id, among a million members, and the Map's
 * lookup is a cache miss for its bucket, another for its entry, another for the key's string
 * (compared by content: the event's id is another string), before the member itself. Here the
 * hash and the member are in one slot, so a lookup reads the slot, the member and its id: one
 * miss less. (IdIndex, for orders, keeps numbers in a typed array instead: an order id confirms
 * through a column of ids, one more miss, but a slot there holds no pointer to trace.)
 */
export class MemberIndex<M extends { readonly id: string }> {
  /** Pairs of (hash, member); a member of 0 marks an empty slot. */
  #slots: (number | M)[] = emptySlots(2 * 1024);
  #mask = 1023;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The member with id `id`, or undefined. */
  get(id: string): M | undefined {
    const hash = smallHashOf(id);
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const member = slots[2 * slot + 1]!;
      if (member === 0) return undefined;
      if (slots[2 * slot] === hash && (member as M).id === id) return member as M;
    }
  }

  /** Adds `member`, whose id is not in the index yet. */
  add(member: M): void {
    if (2 * (this.#size + 1) > this.#mask + 1) this.#grow();
    this.#place(smallHashOf(member.id), member);
    this.#size += 1;
  }

  #place(hash: number, member: M): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = hash & mask;
    while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    slots[2 * slot] = hash;
    slots[2 * slot + 1] = member;
  }

  /** Doubles the table, placing every member again by its kept hash. */
  #grow(): void {
    const old = this.#slots;
    this.#slots = emptySlots(old.length * 2);
    this.#mask = this.#mask * 2 + 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.#place(old[i] as number, old[i + 1] as M);
  }
}

/** `length` zeros, in a packed array (`new Array(n)` makes a holey one: a check for holes on every read). */
function emptySlots<M>(length: number): (number | M)[] {
  const slots: (number | M)[] = [];
  for (let i = 0; i < length; i++) slots.push(0);
  return slots;
}

/** The hash in 30 bits: a small integer in every V8 build, never a heap number in the array. */
const smallHashOf = (id: string): number => hashOf(id) & 0x3fffffff;

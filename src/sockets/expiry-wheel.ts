/**
 * Slots ordered by the second their timer runs out, as a timing wheel: one list per second (linked
 * through `next`, an int32 per slot), a ring of WHEEL_SECONDS of them. Adding and taking out due slots
 * costs O(1) each and touches a few cache lines, where a heap costs a cache miss per level. A slot due
 * beyond the ring's reach waits in the last reachable second's list and is put back when that comes.
 */
const WHEEL_SECONDS = 512;
const NONE = -1;

export class ExpiryWheel {
  private readonly heads = new Int32Array(WHEEL_SECONDS).fill(NONE);
  private next = new Int32Array(0);
  /** The second (floor of capture time) the wheel has turned to: every earlier list is empty. */
  private current = Number.NaN;

  /** Room for slots [0, capacity). */
  grow(capacity: number): void {
    if (capacity <= this.next.length) return;
    const next = new Int32Array(capacity);
    next.set(this.next);
    this.next = next;
  }

  /** Adds `slot`, due at capture time `expiry` (finite). */
  add(slot: number, expiry: number): void {
    if (Number.isNaN(this.current)) this.current = Math.floor(expiry);
    const second = Math.max(Math.floor(expiry), this.current);
    // Beyond the ring's reach: parked in its last second, re-examined then.
    const at = Math.min(second, this.current + WHEEL_SECONDS - 1);
    const list = at % WHEEL_SECONDS;
    this.next[slot] = this.heads[list];
    this.heads[list] = slot;
  }

  /**
   * Calls `due` for every slot of the seconds wholly before `now` whose expiry (read through
   * `expiryOf`) has passed, turning the wheel to `now`'s second. The current second's list waits until
   * the wheel turns past it: a socket may stay up to a second after its expiry, which callers check
   * where it matters, and no list is walked twice in one second.
   */
  expire(now: number, expiryOf: (slot: number) => number, due: (slot: number) => void): void {
    if (Number.isNaN(this.current)) return;
    const target = Math.floor(now);
    if (target <= this.current) return;
    // More than a turn: every list is visited once.
    const last = Math.min(target - 1, this.current + WHEEL_SECONDS - 1);
    for (let second = this.current; second <= last; second++) {
      const list = second % WHEEL_SECONDS;
      let slot = this.heads[list];
      this.heads[list] = NONE;
      while (slot !== NONE) {
        const following = this.next[slot];
        const expiry = expiryOf(slot);
        if (expiry <= now) due(slot);
        else this.park(slot, expiry, target);
        slot = following;
      }
    }
    this.current = target;
  }

  /** Puts a slot back, relative to the second the wheel is turning to. */
  private park(slot: number, expiry: number, current: number): void {
    const at = Math.min(Math.max(Math.floor(expiry), current), current + WHEEL_SECONDS - 1);
    const list = at % WHEEL_SECONDS;
    this.next[slot] = this.heads[list];
    this.heads[list] = slot;
  }
}

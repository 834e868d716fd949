import type { Flow } from './flow.js';

/**
 * An intrusive doubly-linked list of flows ordered by last activity (head = idle longest). Moving a flow
 * to the tail on every packet is a few pointer writes, so the table can find the longest-idle flow, and
 * finished flows past their grace period, without scanning or allocating.
 */
export class FlowList<T> {
  head: Flow<T> | null = null;
  tail: Flow<T> | null = null;
  size = 0;

  constructor(readonly id: number) {}

  append(flow: Flow<T>): void {
    flow.list = this.id;
    flow.prev = this.tail;
    flow.next = null;
    if (this.tail === null) this.head = flow;
    else this.tail.next = flow;
    this.tail = flow;
    this.size++;
  }

  remove(flow: Flow<T>): void {
    if (flow.prev === null) this.head = flow.next;
    else flow.prev.next = flow.next;
    if (flow.next === null) this.tail = flow.prev;
    else flow.next.prev = flow.prev;
    flow.prev = null;
    flow.next = null;
    flow.list = 0;
    this.size--;
  }

  /** Moves an already-listed flow to the tail (most recently active). */
  touch(flow: Flow<T>): void {
    if (this.tail === flow) return;
    this.remove(flow);
    this.append(flow);
  }
}

import type { EventName, EventPayload } from '../shared/contract';

type Listener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Contract events raised in main, fanned out to every transport that subscribed. */
export class EventBus {
  private listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch (e) {
        console.error(`[skysift] event listener failed on ${event}:`, e);
      }
    }
  }
}

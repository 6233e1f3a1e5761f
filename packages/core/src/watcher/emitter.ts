/**
 * A typed event emitter with Node's EventEmitter habits (on/once/off,
 * addListener/removeListener, listenerCount, removeAllListeners; listeners run
 * in order, a throwing listener throws out of emit), written here so that
 * vigil's public types need nothing from @types/node.
 */

/**
 * Events by name, each with the arguments its listeners get. Written as a
 * mapped constraint (not `Record<string, unknown[]>`) so that an interface
 * with no index signature, such as WatcherEventMap, satisfies it.
 */
export type EventMap<M> = { [K in keyof M]: unknown[] };
type Listener<A extends unknown[]> = (...args: A) => void;

/** The emitter behind {@link Watcher}: see the module doc. */
export class TypedEmitter<M extends EventMap<M>> {
  #listeners = new Map<keyof M, { fn: Listener<never[]>; once: boolean }[]>();

  /** Adds a listener for `event`. */
  on<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    return this.#add(event, listener, false);
  }

  /** The same as {@link on}. */
  addListener<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    return this.#add(event, listener, false);
  }

  /** Adds a listener that runs once. */
  once<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    return this.#add(event, listener, true);
  }

  /** Removes a listener (the last one added, if it was added more than once). */
  off<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    const list = this.#listeners.get(event);
    if (!list) return this;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.fn === (listener as unknown as Listener<never[]>)) {
        list.splice(i, 1);
        break;
      }
    }
    return this;
  }

  /** The same as {@link off}. */
  removeListener<K extends keyof M>(event: K, listener: Listener<M[K]>): this {
    return this.off(event, listener);
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof M): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof M): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Calls the listeners of `event` in order; true if there were any. */
  emit<K extends keyof M>(event: K, ...args: M[K]): boolean {
    const list = this.#listeners.get(event);
    if (!list?.length) return false;
    for (const entry of [...list]) {
      if (entry.once) this.off(event, entry.fn as unknown as Listener<M[K]>);
      (entry.fn as unknown as Listener<M[K]>)(...args);
    }
    return true;
  }

  #add<K extends keyof M>(event: K, listener: Listener<M[K]>, once: boolean): this {
    let list = this.#listeners.get(event);
    if (!list) this.#listeners.set(event, (list = []));
    list.push({ fn: listener as unknown as Listener<never[]>, once });
    return this;
  }
}

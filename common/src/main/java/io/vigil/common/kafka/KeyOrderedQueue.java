package io.vigil.common.kafka;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Work queued per key for a pool of workers: a key's items are taken one at a time in the order they
 * came, and a key is never taken by two workers at once; any idle worker takes the next key that has
 * work and is not running. So one slow or waiting key holds one worker, not the keys that happen to
 * share a lane with it. Keys with no work left are forgotten.
 *
 * <p>A key made ready wakes one waiting worker, not all of them: each ready key is work for exactly
 * one, and waking every idle worker of a pool of 32 for each new key (each then taking the monitor in
 * turn only to wait again) cost the notifier about a tenth of its CPU in futex calls under load. A
 * woken worker that finds the key already taken by a worker that was not waiting simply waits again
 * (and an interrupt does not lose a wake-up: the language gives it to another waiter).
 */
final class KeyOrderedQueue<T> {

  /** What a worker took: the key (to hand back with {@link #done}) and its next item. */
  record Taken<T>(String key, T item) {}

  private final Map<String, ArrayDeque<T>> byKey = new HashMap<>();
  private final ArrayDeque<String> ready = new ArrayDeque<>();
  private int size;

  synchronized void add(String key, T item) {
    ArrayDeque<T> q = byKey.get(key);
    if (q == null) {
      q = new ArrayDeque<>();
      byKey.put(key, q);
      ready.addLast(key);
      notify();
    }
    q.addLast(item);
    size++;
  }

  /** The next item of a key nobody runs, waiting up to {@code timeoutMs}; null if none came. */
  synchronized Taken<T> take(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (ready.isEmpty()) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return null;
      }
      wait(left);
    }
    String key = ready.pollFirst();
    return new Taken<>(key, byKey.get(key).peekFirst());
  }

  /**
   * The next items of several keys nobody runs, one item per key, waiting up to {@code timeoutMs}
   * for the first; empty if none came. Each key taken is handed back with {@link #done}. A worker
   * takes its share of the ready keys among {@code workers}, at most {@code max}: one key while the
   * workers keep up (each event alone, as soon as it comes), more as a backlog grows (a storm is
   * taken in batches). One taking a batch wakes another waiter if keys are left.
   */
  synchronized java.util.List<Taken<T>> takeBatch(int max, int workers, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (ready.isEmpty()) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return java.util.List.of();
      }
      wait(left);
    }
    int n = Math.min(max, Math.max(1, ready.size() / Math.max(1, workers)));
    java.util.List<Taken<T>> out = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String key = ready.pollFirst();
      out.add(new Taken<>(key, byKey.get(key).peekFirst()));
    }
    if (!ready.isEmpty()) {
      notify();
    }
    return out;
  }

  /** The worker finished the key's item it took: the key's next item, if any, can be taken. */
  synchronized void done(String key) {
    ArrayDeque<T> q = byKey.get(key);
    q.pollFirst();
    size--;
    if (q.isEmpty()) {
      byKey.remove(key);
    } else {
      ready.addLast(key);
      notify();
    }
  }

  /** Items queued or running. */
  synchronized int size() {
    return size;
  }

  synchronized int keys() {
    return byKey.size();
  }
}

package io.vigil.detector.index;

import java.util.List;

/**
 * An immutable map from a pair of hashes of a key to a small number: open addressing with linear
 * probing at a load of at most a half. A slot is two longs side by side: the key's 64-bit first hash,
 * then 32 bits of its second hash beside the number. A look-up reads one cache line of slots and
 * nothing else (the index keeps what the number points at in arrays of their own type, so even
 * handing a policy on reads no object header), where a {@code HashMap<Long, V>} reads a node, a
 * boxed key and a chain. Two keys are told apart unless 96 bits of their hashes meet; {@link #of}
 * refuses such a pair.
 */
final class LongTable {

  /** One entry: the key's first hash, its independent second hash, and its number. */
  record Entry(long hash, long check, int value) {}

  /** The largest number a table holds. */
  static final int MAX_VALUE = Integer.MAX_VALUE - 1;

  private static final long LOW = 0xffffffffL;

  private final long[] slots; // slot i: [2i] the first hash, [2i + 1] the check's low half << 32 | value + 1 (0: empty)
  private final int mask;

  private LongTable(long[] slots, int capacity) {
    this.slots = slots;
    this.mask = capacity - 1;
  }

  /**
   * The table of these entries.
   *
   * @throws IllegalArgumentException if two entries share the first hash and the second's low half,
   *     or a number is negative or above {@link #MAX_VALUE}
   */
  static LongTable of(List<Entry> entries) {
    int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
    long[] slots = new long[capacity * 2];
    for (Entry e : entries) {
      if (e.value() < 0 || e.value() > MAX_VALUE) {
        throw new IllegalArgumentException("value out of range: " + e.value());
      }
      long meta = (e.check() << 32) | (e.value() + 1L);
      int i = slot(e.hash(), capacity - 1);
      while (slots[2 * i + 1] != 0) {
        if (slots[2 * i] == e.hash() && (slots[2 * i + 1] >>> 32) == (e.check() & LOW)) {
          throw new IllegalArgumentException("two entries with the same hashes");
        }
        i = (i + 1) & (capacity - 1);
      }
      slots[2 * i] = e.hash();
      slots[2 * i + 1] = meta;
    }
    return new LongTable(slots, capacity);
  }

  /** The number under these hashes, or -1. */
  int get(long hash, long check) {
    long low = check & LOW;
    for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
      long meta = slots[2 * i + 1];
      if (meta == 0) {
        return -1;
      }
      if (slots[2 * i] == hash && (meta >>> 32) == low) {
        return (int) (meta & LOW) - 1;
      }
    }
  }

  /** Where a look-up of this hash starts (for {@link #peek}). */
  int slot(long hash) {
    return slot(hash, mask);
  }

  /**
   * Reads this slot, whatever its key, and answers whether it holds one: reading the slots of several
   * look-ups ahead lets their cache misses overlap; {@link #get} then finds the lines in cache.
   */
  boolean peek(int slot) {
    return slots[2 * slot + 1] != 0;
  }

  private static int slot(long hash, int mask) {
    long h = hash * 0x9e3779b97f4a7c15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}

package dev.plinth.datasync.model;

import io.vavr.Tuple2;
import io.vavr.collection.HashMap;
import io.vavr.control.Option;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable {@link Map} whose {@link #plus}/{@link #minus} share structure with the
 * original. The mutators of {@code java.util.Map} throw.
 *
 * <p>Design note. A snapshot's entity maps are built once from a listener's full result
 * (up to a million entries) and then change a few entries at a time. So a map is a plain
 * hash table that is never mutated (the <em>base</em>) plus a persistent overlay of the
 * changes since (vavr's hash trie: a change is O(log32 n), ~4 levels at a million).
 * Building the first map adopts the listener's table as it is: loading every entry into a
 * trie cost a quarter of a cold start's CPU at a million memberships. A look-up is the
 * overlay's (almost always empty) then the base's. When the overlay outgrows a quarter of
 * the base, the next change folds both into a new base: O(n) once per n/4 changes, O(1)
 * per change amortized.
 */
public final class PersistentMap<K, V> extends AbstractMap<K, V> {

    /** An overlay value: the base's entry is removed. */
    private static final Object GONE = new Object();
    private static final int MIN_OVERLAY = 32;
    /** Over an (unchanging) java.util.HashMap rather than Map.of(), which throws on a null key. */
    private static final PersistentMap<?, ?> EMPTY = new PersistentMap<>(new java.util.HashMap<>(), HashMap.empty(), 0);

    private final Map<K, V> base;
    private final HashMap<K, Object> overlay;
    private final int size;

    private PersistentMap(Map<K, V> base, HashMap<K, Object> overlay, int size) {
        this.base = base;
        this.overlay = overlay;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> PersistentMap<K, V> empty() {
        return (PersistentMap<K, V>) EMPTY;
    }

    /** A persistent map with the entries of {@code map} (copied). */
    public static <K, V> PersistentMap<K, V> from(Map<K, V> map) {
        return adopt(new java.util.HashMap<>(map));
    }

    /**
     * A persistent map over {@code table} itself, without copying it: the caller hands it
     * over and must never change it again.
     */
    public static <K, V> PersistentMap<K, V> adopt(java.util.HashMap<K, V> table) {
        return new PersistentMap<>(table, HashMap.empty(), table.size());
    }

    public PersistentMap<K, V> plus(K key, V value) {
        return with(overlay.put(key, value), containsKey(key) ? size : size + 1);
    }

    public PersistentMap<K, V> minus(K key) {
        if (!containsKey(key)) {
            return this;
        }
        return with(base.containsKey(key) ? overlay.put(key, GONE) : overlay.remove(key), size - 1);
    }

    private PersistentMap<K, V> with(HashMap<K, Object> changes, int newSize) {
        if (changes.size() <= Math.max(MIN_OVERLAY, base.size() / 4)) {
            return new PersistentMap<>(base, changes, newSize);
        }
        var folded = new java.util.HashMap<K, V>(base);
        for (Tuple2<K, Object> change : changes) {
            if (change._2 == GONE) {
                folded.remove(change._1);
            } else {
                folded.put(change._1, value(change._2));
            }
        }
        return adopt(folded);
    }

    @Override
    public V get(Object key) {
        Option<Object> changed = changed(key);
        if (changed.isDefined()) {
            return changed.get() == GONE ? null : value(changed.get());
        }
        return base.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        Option<Object> changed = changed(key);
        return changed.isDefined() ? changed.get() != GONE : base.containsKey(key);
    }

    @SuppressWarnings("unchecked")
    private Option<Object> changed(Object key) {
        return overlay.isEmpty() ? Option.none() : overlay.get((K) key);
    }

    @SuppressWarnings("unchecked")
    private V value(Object v) {
        return (V) v;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                return new Entries();
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** The overlay's live entries, then the base's entries the overlay does not shadow. */
    private final class Entries implements Iterator<Entry<K, V>> {
        private final Iterator<Tuple2<K, Object>> changes = overlay.iterator();
        private final Iterator<Entry<K, V>> kept = base.entrySet().iterator();
        private Entry<K, V> next = advance();

        private Entry<K, V> advance() {
            while (changes.hasNext()) {
                Tuple2<K, Object> c = changes.next();
                if (c._2 != GONE) {
                    return new SimpleImmutableEntry<>(c._1, value(c._2));
                }
            }
            while (kept.hasNext()) {
                Entry<K, V> e = kept.next();
                if (overlay.isEmpty() || !overlay.containsKey(e.getKey())) {
                    return new SimpleImmutableEntry<>(e);
                }
            }
            return null;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Entry<K, V> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Entry<K, V> e = next;
            next = advance();
            return e;
        }
    }
}

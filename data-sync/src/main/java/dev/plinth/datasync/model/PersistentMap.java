package dev.plinth.datasync.model;

import io.vavr.Tuple2;
import io.vavr.collection.HashMap;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * An immutable {@link Map} over vavr's hash array mapped trie: {@link #plus}/{@link #minus}
 * cost O(log32 n) and share structure with the original, and a look-up is a few pointer
 * hops at any size (about 4 levels for a million entries). Snapshots keep their entity
 * maps in these, so a membership change neither copies a million entries nor slows
 * look-ups down. The mutators of {@code java.util.Map} throw.
 */
public final class PersistentMap<K, V> extends AbstractMap<K, V> {

    private static final PersistentMap<?, ?> EMPTY = new PersistentMap<>(HashMap.empty());

    private final HashMap<K, V> trie;

    private PersistentMap(HashMap<K, V> trie) {
        this.trie = trie;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> PersistentMap<K, V> empty() {
        return (PersistentMap<K, V>) EMPTY;
    }

    public static <K, V> PersistentMap<K, V> from(Map<K, V> map) {
        return new PersistentMap<>(HashMap.ofAll(map));
    }

    public PersistentMap<K, V> plus(K key, V value) {
        return new PersistentMap<>(trie.put(key, value));
    }

    public PersistentMap<K, V> minus(K key) {
        return new PersistentMap<>(trie.remove(key));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        return trie.get((K) key).getOrNull();
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean containsKey(Object key) {
        return trie.containsKey((K) key);
    }

    @Override
    public int size() {
        return trie.size();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                Iterator<Tuple2<K, V>> it = trie.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Entry<K, V> next() {
                        Tuple2<K, V> t = it.next();
                        return new SimpleImmutableEntry<>(t._1, t._2);
                    }
                };
            }

            @Override
            public int size() {
                return trie.size();
            }
        };
    }
}

package dev.plinth.engine.internal;

import com.styra.opa.wasm.OpaPolicy;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A bounded pool of wasm instances of one bundle, each keeping its data loaded.
 *
 * <p>Design note. An OPA wasm instance is single-threaded ({@code OpaPolicy} corrupts its
 * results when shared), and Helidon serves every request on a fresh virtual thread, so
 * neither one shared instance nor a thread-local cache works. The binding's own
 * {@code OpaPolicyPool} resets data when an instance is returned, which would make each
 * borrower reload the data (34 ms per MiB). This pool instead tags every instance with
 * the data version it holds; a borrower reloads only when the engine's data moved on.
 * Instances are created lazily up to {@code maxSize} (loading one costs ~100 ms with the
 * compiler) and a borrower beyond that waits for a free one.
 */
public final class InstancePool {

    /** An instance together with the data version it currently holds. */
    public static final class Instance {
        final OpaPolicy policy;
        final Map<String, Integer> entrypoints;
        long dataVersion = -1;

        Instance(OpaPolicy policy) {
            this.policy = policy;
            this.entrypoints = Map.copyOf(policy.entrypoints());
        }

        /** The wasm policy; only the borrower may touch it until it is returned. */
        public OpaPolicy policy() {
            return policy;
        }

        /** The entrypoint id for a name, or null. */
        public Integer entrypointId(String name) {
            return entrypoints.get(name);
        }

        /** The data version this instance holds; the borrower updates it after reloading. */
        public long dataVersion() {
            return dataVersion;
        }

        public void dataVersion(long version) {
            this.dataVersion = version;
        }
    }

    private final Supplier<OpaPolicy> factory;
    private final int maxSize;
    private final BlockingQueue<Instance> idle;
    private final AtomicInteger created = new AtomicInteger();

    public InstancePool(Supplier<OpaPolicy> factory, int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, was " + maxSize);
        }
        this.factory = factory;
        this.maxSize = maxSize;
        this.idle = new ArrayBlockingQueue<>(maxSize);
        idle.add(new Instance(factory.get())); // fail at construction if the module cannot load
        created.set(1);
    }

    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * Takes an idle instance, creating one while under the bound, else waits for one.
     *
     * @return the instance, or null when none became free within {@code waitNanos}
     */
    public Instance borrow(long waitNanos) throws InterruptedException {
        Instance instance = take(waitNanos);
        if (instance != null) {
            inUse.incrementAndGet();
        }
        return instance;
    }

    private Instance take(long waitNanos) throws InterruptedException {
        Instance instance = idle.poll();
        if (instance != null) {
            return instance;
        }
        while (true) {
            int n = created.get();
            if (n >= maxSize) {
                waiting.incrementAndGet();
                try {
                    return idle.poll(waitNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
                } finally {
                    waiting.decrementAndGet();
                }
            }
            if (created.compareAndSet(n, n + 1)) {
                try {
                    return new Instance(factory.get());
                } catch (RuntimeException e) {
                    created.decrementAndGet();
                    throw e;
                }
            }
        }
    }

    /** Returns a borrowed instance. An instance that failed mid-evaluation (or was stopped) is discarded. */
    public void giveBack(Instance instance, boolean healthy) {
        inUse.decrementAndGet();
        if (healthy) {
            idle.add(instance);
        } else {
            created.decrementAndGet();
        }
    }

    /** Instances borrowed now. */
    public int inUse() {
        return inUse.get();
    }

    /** Borrowers waiting for an instance now (the pool is saturated while any wait). */
    public int waiting() {
        return waiting.get();
    }

    public int size() {
        return created.get();
    }

    public int maxSize() {
        return maxSize;
    }
}

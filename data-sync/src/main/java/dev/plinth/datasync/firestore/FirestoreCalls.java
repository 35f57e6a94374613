package dev.plinth.datasync.firestore;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.firestore.FirestoreException;
import io.grpc.Status;
import java.util.concurrent.ExecutionException;

/**
 * How Firestore failures are told apart, and the one retry of transient ones, for every
 * caller of Firestore (the admin store, the bundle store, Firestore resource stores): a
 * call that failed {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED} or {@code ABORTED} may be
 * made again; {@code INVALID_ARGUMENT} is the request's fault, not an outage.
 */
public final class FirestoreCalls {

    private FirestoreCalls() {}

    /** A Firestore call (usually {@code future.get(timeout)}). */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws Exception;
    }

    /** Whether the failure is one a retry may cure. */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ApiException api) {
                StatusCode.Code code = api.getStatusCode().getCode();
                return code == StatusCode.Code.UNAVAILABLE || code == StatusCode.Code.DEADLINE_EXCEEDED
                        || code == StatusCode.Code.ABORTED;
            }
            if (c instanceof FirestoreException fe && fe.getStatus() != null) {
                Status.Code code = fe.getStatus().getCode();
                return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.ABORTED;
            }
            if (c instanceof io.grpc.StatusRuntimeException sre) {
                Status.Code code = sre.getStatus().getCode();
                return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
            }
        }
        return false;
    }

    /** Whether Firestore refused the request itself (a size or name limit): a client error. */
    public static boolean isInvalidArgument(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ApiException api) {
                return api.getStatusCode().getCode() == StatusCode.Code.INVALID_ARGUMENT;
            }
        }
        return false;
    }

    /**
     * Runs a call that may be repeated (a read, or a write made idempotent by its caller),
     * again after a transient failure, at most {@code attempts} times with a growing pause
     * (100 ms, 200 ms, … at most 2 s). Any other failure, or the last one, is thrown as is.
     */
    public static <T> T retrying(Call<T> call, int attempts) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (ExecutionException e) {
                if (!isTransient(e.getCause()) || attempt >= attempts) {
                    throw e;
                }
                backoff(attempt);
            }
        }
    }

    /** A Firestore call given how long it may still wait (ms): usually {@code future.get(left, MILLISECONDS)}. */
    @FunctionalInterface
    public interface TimedCall<T> {
        T run(long millisLeft) throws Exception;
    }

    /**
     * As {@link #retrying(Call, int)}, but all attempts and pauses together within
     * {@code budget}: each attempt waits only for what is left of it, and when nothing is
     * left a {@link java.util.concurrent.TimeoutException} is thrown. One bound per
     * operation, however many transient failures it meets (a read retried three times at
     * 10 s each used to hold a request 30 s and more).
     */
    public static <T> T retryingWithin(java.time.Duration budget, int attempts, TimedCall<T> call) throws Exception {
        long deadline = System.nanoTime() + budget.toNanos();
        for (int attempt = 1; ; attempt++) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new java.util.concurrent.TimeoutException("no answer within " + budget.toMillis() + " ms");
            }
            try {
                return call.run(left);
            } catch (ExecutionException e) {
                if (!isTransient(e.getCause()) || attempt >= attempts) {
                    throw e;
                }
                long pause = Math.min(Math.min(2_000, 100L << Math.min(attempt, 5)), (deadline - System.nanoTime()) / 1_000_000);
                if (pause <= 0) {
                    throw new java.util.concurrent.TimeoutException("no answer within " + budget.toMillis() + " ms (" + attempt
                            + " attempts: " + e.getCause().getMessage() + ")");
                }
                Thread.sleep(pause);
            }
        }
    }

    /** The pause before attempt {@code attempt + 1}. */
    public static void backoff(int attempt) {
        try {
            Thread.sleep(Math.min(2_000, 100L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

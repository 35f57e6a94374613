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

    /** The pause before attempt {@code attempt + 1}. */
    public static void backoff(int attempt) {
        try {
            Thread.sleep(Math.min(2_000, 100L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.plinth.datasync.admin;

import com.google.cloud.Timestamp;
import dev.plinth.datasync.RevisionToken;
import dev.plinth.datasync.firestore.FirestoreCalls;
import dev.plinth.datasync.primitive.Kind;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.FieldValue;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.Query;
import com.google.cloud.firestore.QuerySnapshot;
import com.google.cloud.firestore.Transaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Validated reads and writes of the control-plane primitives, the only way the admin API
 * touches Firestore.
 *
 * <p>Design note. Every write is one Firestore transaction that validates the body, checks
 * references and dependents, honours If-Match against the document's update time, writes
 * the document, and writes a log entry {@code control_plane_writes/{writeId}}. The log entry
 * serves two purposes: its update time is the transaction's commit time, which becomes the
 * consistency token ({@code <collection>:<µs>}) a client sends back as
 * {@code X-Min-Revision}; and because the write id is chosen before the first attempt, a
 * retry after an {@code UNAVAILABLE} whose commit did in fact land finds the entry and
 * reports success instead of writing twice. A write is acknowledged only after the commit.
 */
public final class AdminStore {

    private static final Logger LOG = Logger.getLogger(AdminStore.class.getName());
    private static final int MAX_ATTEMPTS = 6;
    private static final int MAX_CASCADE = 450;
    public static final String WRITE_LOG = "control_plane_writes";

    /** A stored primitive: its id, the stored fields and its version (ETag). */
    public record Resource(String id, Map<String, Object> data, String etag) {}

    /** One page of a listing, in id order; {@code nextPageToken} is null on the last page. */
    public record Page(List<Resource> items, String nextPageToken) {}

    /**
     * An acknowledged write.
     *
     * @param resource the stored resource (null after a delete)
     * @param revision the consistency token: {@code <collection>:<commit time µs>}
     */
    public record WriteResult(Resource resource, String revision, int cascaded) {}

    private final Firestore db;
    private final BooleanSupplier reachable;
    private final java.util.function.Supplier<Duration> writeTimeout;

    /** @param reachable whether Firestore answered lately; writes are refused at once while it did not */
    /** With the default write timeout (tests, tools). */
    public AdminStore(Firestore db, BooleanSupplier reachable) {
        this(db, reachable, () -> dev.plinth.datasync.model.PlatformDefaults.DEFAULT_WRITE_TIMEOUT);
    }

    /** @param writeTimeout how long a write waits for Firestore (data: {@code t_system.defaults.write_timeout_ms}) */
    public AdminStore(Firestore db, BooleanSupplier reachable, java.util.function.Supplier<Duration> writeTimeout) {
        this.db = db;
        this.reachable = reachable;
        this.writeTimeout = writeTimeout;
    }

    public Resource get(Kind kind, String tenantId, String id) {
        DocumentSnapshot d = call(left -> db.document(kind.path(tenantId, id)).get().get(left, TimeUnit.MILLISECONDS));
        if (!d.exists()) {
            throw new AdminException.NotFound(kind.path(tenantId, id));
        }
        return resource(d);
    }

    /** Lists in document-id order, {@code pageSize} at a time (1–500). */
    public Page list(Kind kind, String tenantId, long pageSize, String pageToken) {
        // Checked as a long: a cast first would make 4294967297 a page of 1.
        if (pageSize < 1 || pageSize > 500) {
            throw new AdminException.Invalid(List.of("page_size must be 1..500, was " + pageSize));
        }
        String collection = kind.tenantScoped() ? "tenants/" + tenantId + "/" + kind.collection() : kind.collection();
        Query q = Kind.byId(db, collection).limit((int) pageSize + 1);
        if (pageToken != null && !pageToken.isEmpty()) {
            q = q.startAfter(decodeToken(pageToken));
        }
        Query query = q;
        QuerySnapshot snap = call(left -> query.get().get(left, TimeUnit.MILLISECONDS));
        var items = new ArrayList<Resource>();
        for (DocumentSnapshot d : snap.getDocuments()) {
            if (items.size() == pageSize) {
                break;
            }
            items.add(resource(d));
        }
        String next = snap.size() > pageSize ? encodeToken(items.get(items.size() - 1).id()) : null;
        return new Page(items, next);
    }

    /**
     * A client's idempotency key for a write: {@code id} (already scoped to the caller) names
     * the write's log entry, so a retry finds the first attempt's commit; {@code digest} is the
     * request's fingerprint, which a retry must match.
     */
    public record Idempotency(String id, String digest) {}

    public WriteResult create(Kind kind, String tenantId, String id, Map<String, Object> body, String actor, Idempotency idem) {
        if (kind == Kind.TENANTS && "t_system".equals(id)) {
            throw new AdminException.Protected("t_system exists only through the seed and cannot be created");
        }
        Kind.Validated v = validated(kind, tenantId, id, body);
        return write(kind, tenantId, id, "create", actor, idem, (tx, ref) -> {
            if (tx.get(ref).get().exists()) {
                throw new AdminException.AlreadyExists(ref.getPath());
            }
            checkReferences(tx, v.references());
            checkUnique(tx, kind, id, v.document());
            tx.create(ref, v.document());
            return 0;
        });
    }

    /** Replaces a document; {@code ifMatch} (an ETag) guards against lost updates when given. */
    public WriteResult replace(Kind kind, String tenantId, String id, Map<String, Object> body, String ifMatch, String actor,
                               Idempotency idem) {
        Kind.Validated v = validated(kind, tenantId, id, body);
        if (kind == Kind.TENANTS && "t_system".equals(id) && !"active".equals(v.document().get("status"))) {
            throw new AdminException.Protected("t_system cannot be suspended");
        }
        return write(kind, tenantId, id, "replace", actor, idem, (tx, ref) -> {
            DocumentSnapshot current = tx.get(ref).get();
            if (!current.exists()) {
                throw new AdminException.NotFound(ref.getPath());
            }
            checkIfMatch(ref, current, ifMatch);
            checkReferences(tx, v.references());
            checkUnique(tx, kind, id, v.document());
            keepLastOwner(tx, kind, tenantId, current, v.document());
            tx.set(ref, v.document());
            return 0;
        });
    }

    /** Deletes a document; dependents block it unless {@code cascade} and the kind allows cascading. */
    public WriteResult delete(Kind kind, String tenantId, String id, String ifMatch, boolean cascade, String actor, Idempotency idem) {
        if (kind == Kind.TENANTS && "t_system".equals(id)) {
            throw new AdminException.Protected("t_system exists only through the seed and cannot be deleted");
        }
        return write(kind, tenantId, id, "delete", actor, idem, (tx, ref) -> {
            DocumentSnapshot current = tx.get(ref).get();
            if (!current.exists()) {
                throw new AdminException.NotFound(ref.getPath());
            }
            checkIfMatch(ref, current, ifMatch);
            keepLastOwner(tx, kind, tenantId, current, null);
            var toCascade = new ArrayList<DocumentReference>();
            for (Kind.Dependents dep : kind.dependents(db, tenantId, id)) {
                QuerySnapshot found = tx.get(dep.query().limit(MAX_CASCADE + 1)).get();
                if (found.isEmpty()) {
                    continue;
                }
                if (!dep.cascadable() || !cascade) {
                    throw new AdminException.HasDependents(ref.getPath() + " still has " + dep.what()
                            + (dep.cascadable() ? "; pass cascade=true to delete them too" : "; remove them first"));
                }
                found.getDocuments().forEach(d -> toCascade.add(d.getReference()));
            }
            if (toCascade.size() > MAX_CASCADE) {
                throw new AdminException.HasDependents(ref.getPath() + " has more than " + MAX_CASCADE
                        + " dependents; delete them in pages first");
            }
            toCascade.forEach(tx::delete);
            tx.delete(ref);
            return toCascade.size();
        });
    }

    @FunctionalInterface
    private interface TxBody {
        int apply(Transaction tx, DocumentReference ref) throws Exception;
    }

    private WriteResult write(Kind kind, String tenantId, String id, String op, String actor, Idempotency idem, TxBody body) {
        if (!reachable.getAsBoolean()) {
            throw new AdminException.Unavailable("the control plane (Firestore) is unreachable; writes are refused until it is back");
        }
        DocumentReference ref = db.document(kind.path(tenantId, id));
        // With an idempotency key, the client's retry finds the same log entry as this process's retries do.
        DocumentReference log = db.collection(WRITE_LOG).document(idem == null ? UUID.randomUUID().toString() : "idem-" + idem.id());
        String digest = idem == null ? "" : idem.digest();
        int[] cascaded = {0};
        // One bound for the whole write, retries of transient failures (ABORTED under lock
        // contention, UNAVAILABLE) included: a request thread is never held longer.
        Duration timeout = writeTimeout.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                db.runTransaction(tx -> {
                    DocumentSnapshot earlier = tx.get(log).get();
                    if (earlier.exists()) {
                        if (!digest.equals(earlier.getString("digest") == null ? "" : earlier.getString("digest"))) {
                            throw new AdminException.IdempotencyConflict("the Idempotency-Key was used for a different request");
                        }
                        cascaded[0] = earlier.getLong("cascaded") == null ? 0 : earlier.getLong("cascaded").intValue();
                        return null; // an earlier attempt committed; do not write twice
                    }
                    cascaded[0] = body.apply(tx, ref);
                    tx.set(log, Map.of("path", ref.getPath(), "op", op, "actor", actor == null ? "" : actor,
                            "at", FieldValue.serverTimestamp(), "digest", digest, "cascaded", cascaded[0]));
                    return null;
                }).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AdminException ae) {
                    throw ae;
                }
                if (!FirestoreCalls.isTransient(e.getCause()) || attempt == MAX_ATTEMPTS) {
                    throw unavailableOr(e.getCause(), op + " of " + ref.getPath());
                }
                if (System.nanoTime() >= deadline) {
                    throw new AdminException.Unavailable(op + " of " + ref.getPath() + " was not committed within "
                            + timeout.toMillis() + " ms (tenants/t_system.defaults.write_timeout_ms) after "
                            + attempt + " attempts: " + e.getCause().getMessage() + "; retry with the same Idempotency-Key");
                }
                LOG.info("retrying " + op + " of " + ref.getPath() + " after " + e.getCause().getMessage());
                FirestoreCalls.backoff(attempt);
            } catch (TimeoutException e) {
                throw new AdminException.Unavailable(op + " of " + ref.getPath() + " got no answer from Firestore within "
                        + timeout.toMillis() + " ms (tenants/t_system.defaults.write_timeout_ms); it may or may not have been "
                        + "applied: retry with the same Idempotency-Key");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AdminException.Unavailable("interrupted during " + op + " of " + ref.getPath());
            }
        }
        Timestamp commit = call(left -> log.get().get(left, TimeUnit.MILLISECONDS)).getUpdateTime();
        String revision = new RevisionToken(kind, micros(commit)).toString();
        Resource resource = "delete".equals(op) ? null : get(kind, tenantId, id);
        return new WriteResult(resource, revision, cascaded[0]);
    }

    private void checkReferences(Transaction tx, List<Kind.Ref> refs) throws Exception {
        var missing = new ArrayList<String>();
        for (Kind.Ref r : refs) {
            DocumentSnapshot d = tx.get(db.document(r.path())).get();
            if (!d.exists()) {
                missing.add(r.what() + " does not exist (" + r.path() + ")");
            } else if (!r.usable().test(d.getData())) {
                missing.add(r.unusable());
            }
        }
        if (!missing.isEmpty()) {
            throw new AdminException.ReferenceMissing(String.join("; ", missing));
        }
    }

    /**
     * What the route policy needs to judge a membership write: the membership as stored (null
     * when there is none) and how many active owners the tenant has (counted up to 2: the
     * policy only asks whether it is the last).
     */
    public record OwnerFacts(Map<String, Object> membership, int activeOwners) {}

    public OwnerFacts ownerFacts(String tenantId, String userId) {
        DocumentSnapshot d = call(left -> db.document(Kind.MEMBERS.path(tenantId, userId)).get().get(left, TimeUnit.MILLISECONDS));
        QuerySnapshot owners = call(left -> owners(tenantId).get().get(left, TimeUnit.MILLISECONDS));
        return new OwnerFacts(d.exists() ? d.getData() : null, activeOwners(owners));
    }

    // Owners are queried by role alone (a single-field index Firestore keeps by itself; role
    // and status together would need a composite index deployed) and filtered here.
    private Query owners(String tenantId) {
        return db.collection("tenants/" + tenantId + "/members").whereArrayContains("roles", "owner").limit(MAX_CASCADE);
    }

    private static int activeOwners(QuerySnapshot owners) {
        return (int) Math.min(2, owners.getDocuments().stream().filter(d -> activeOwner(d.getData())).count());
    }

    private static boolean activeOwner(Map<String, Object> membership) {
        return membership != null && membership.get("roles") instanceof List<?> roles && roles.contains("owner")
                && "active".equals(membership.getOrDefault("status", "active"));
    }

    /**
     * The last active owner of a tenant stays: the route policy refuses such a write from the
     * facts it is given, and this check, inside the write's transaction, keeps two concurrent
     * demotions of the last two owners from both passing.
     */
    private void keepLastOwner(Transaction tx, Kind kind, String tenantId, DocumentSnapshot current, Map<String, Object> next)
            throws Exception {
        if (kind != Kind.MEMBERS || !activeOwner(current.getData()) || activeOwner(next)) {
            return;
        }
        if (activeOwners(tx.get(owners(tenantId)).get()) <= 1) {
            throw new AdminException.StateConflict("LAST_OWNER", current.getId() + " is the last active owner of " + tenantId
                    + "; add another owner first");
        }
    }

    /** Two routes for the same kind and scope would make the answer ambiguous: refuse the second. */
    private void checkUnique(Transaction tx, Kind kind, String id, Map<String, Object> doc) throws Exception {
        if (kind == Kind.USERS && doc.get("identities") instanceof List<?> identities) {
            // One user per (issuer, subject): a second claim would take over the first's identity.
            for (Object identity : identities) {
                Query same = db.collection("users").whereArrayContains("identities", identity).limit(2);
                for (DocumentSnapshot d : tx.get(same).get().getDocuments()) {
                    if (!d.getId().equals(id)) {
                        throw new AdminException.AlreadyExists("identity " + identity + " already belongs to users/" + d.getId());
                    }
                }
            }
            return;
        }
        if (kind == Kind.IDENTITY_PROVIDERS) {
            // One provider per issuer: a second would take over the issuer's tokens with its own key.
            Query same = db.collection("identity_providers").whereEqualTo("issuer", doc.get("issuer")).limit(2);
            for (DocumentSnapshot d : tx.get(same).get().getDocuments()) {
                if (!d.getId().equals(id)) {
                    throw new AdminException.AlreadyExists("issuer " + doc.get("issuer") + " is already served by identity_providers/"
                            + d.getId());
                }
            }
            return;
        }
        if (kind != Kind.ROUTES) {
            return;
        }
        Query same = db.collection("routes").whereEqualTo("kind", doc.get("kind")).whereEqualTo("tenant", doc.get("tenant"))
                .whereEqualTo("surface", doc.get("surface")).whereEqualTo("app", doc.get("app"))
                .whereEqualTo("project", doc.get("project"));
        for (DocumentSnapshot d : tx.get(same).get().getDocuments()) {
            if (!d.getId().equals(id)) {
                throw new AdminException.AlreadyExists("routes/" + d.getId() + " already routes " + doc.get("kind")
                        + " for this scope; replace it instead of adding");
            }
        }
    }

    private static void checkIfMatch(DocumentReference ref, DocumentSnapshot current, String ifMatch) {
        if (ifMatch == null || ifMatch.equals("*")) {
            return;
        }
        String actual = etag(current);
        if (!actual.equals(ifMatch.trim())) {
            throw new AdminException.PreconditionFailed(ref.getPath(), ifMatch, actual);
        }
    }

    private static Resource resource(DocumentSnapshot d) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", d.getId());
        d.getData().forEach((k, v) -> data.put(k, plain(v)));
        return new Resource(d.getId(), data, etag(d));
    }

    private static Object plain(Object v) {
        if (v instanceof Timestamp t) {
            return t.toDate().toInstant().toString();
        }
        if (v instanceof Map<?, ?> m) {
            var out = new LinkedHashMap<String, Object>();
            m.forEach((k, val) -> out.put(String.valueOf(k), plain(val)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(AdminStore::plain).toList();
        }
        return v;
    }

    /** The document's version: its update time in µs, quoted as an HTTP entity tag. */
    static String etag(DocumentSnapshot d) {
        return "\"" + micros(d.getUpdateTime()) + "\"";
    }

    static long micros(Timestamp t) {
        return t.getSeconds() * 1_000_000L + t.getNanos() / 1_000;
    }

    private static String encodeToken(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AdminException.Invalid(List.of("page_token is not one this API issued"));
        }
    }

    /** The registry's validation, refusals as the admin API's. */
    private static Kind.Validated validated(Kind kind, String tenantId, String id, Map<String, Object> body) {
        try {
            return kind.validate(tenantId, id, body);
        } catch (Kind.Invalid e) {
            throw new AdminException.Invalid(e.errors());
        }
    }

    private static AdminException unavailableOr(Throwable cause, String what) {
        if (FirestoreCalls.isInvalidArgument(cause)) {
            // Firestore refused the request itself (a size or name limit): a client error, not an outage.
            return new AdminException.Invalid(List.of(what + " was refused by Firestore: " + cause.getMessage()));
        }
        return new AdminException.Unavailable(what + " failed: " + cause.getMessage());
    }

    /**
     * Reads, retried on transient failures, all attempts within {@code write_timeout_ms} (the
     * bound of a control-plane operation); a persistent failure is {@code Unavailable}.
     */
    private <T> T call(FirestoreCalls.TimedCall<T> call) {
        Duration budget = writeTimeout.get();
        try {
            return FirestoreCalls.retryingWithin(budget, MAX_ATTEMPTS, call);
        } catch (ExecutionException e) {
            throw unavailableOr(e.getCause(), "control-plane read");
        } catch (TimeoutException e) {
            throw new AdminException.Unavailable("control-plane read: Firestore did not answer within " + budget.toMillis()
                    + " ms (t_system.defaults.write_timeout_ms)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException.Unavailable("interrupted during a control-plane read");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AdminException.Unavailable("control-plane read failed: " + e.getMessage());
        }
    }

}

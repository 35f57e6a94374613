package dev.plinth.core.policies;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.PlinthException;
import dev.plinth.datasync.admin.AdminStore;
import dev.plinth.datasync.bundles.BundleStore;
import dev.plinth.datasync.model.Json;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.SecretResolver;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.BundleCheck;
import dev.plinth.engine.api.DecisionSample;
import dev.plinth.engine.api.EngineException;
import dev.plinth.engine.api.PolicyEngine;
import dev.plinth.engine.builtins.NetworkAccess;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A policy bundle's life: upload (unpacks safely, declares every entrypoint Plinth calls,
 * passes the signing policy, loads on Chicory, smoke-evaluates), the impact diff of a
 * candidate against the active bundle, activation and rollback (data writes every replica
 * follows), and the load each replica does when {@code policy/active} moves. The same
 * checks hold whichever path a bundle takes — the HTTP routes, the library — because they
 * are these methods. A refused bundle is {@link PlinthException.Invalid} {@code BUNDLE_INVALID}
 * with the reason; the active policy is untouched by a refusal. Thread-safe.
 */
public final class PolicyLifecycle {

    /** What a bundle may be named. */
    public static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,62}$");
    /** The largest bundle accepted (the packed .tar.gz). */
    public static final int MAX_BUNDLE_BYTES = 16 * 1024 * 1024;
    /** The most cases one impact diff evaluates. */
    public static final int MAX_DIFF_CASES = 1_000;
    /** The decision fields a changed case names when they differ. */
    private static final List<String> DECISION_FIELDS = List.of("allow", "status", "code", "backend_id", "context");

    /** An uploaded bundle. */
    public record Uploaded(String name, String revision, int size, List<String> entrypoints) {}

    /** One decision to compare: an entrypoint and its input. */
    public record Case(String entrypoint, JsonNode input) {}

    /** A case whose answer differs between the active bundle and the candidate. */
    public record Change(String entrypoint, JsonNode input, JsonNode active, JsonNode candidate, List<String> differsIn) {}

    /** What activating a candidate would change, over {@code evaluated} cases taken from {@code source}. */
    public record Impact(String candidateRevision, String activeRevision, int evaluated, String source, List<Change> changed) {}

    private final BundleStore bundles;
    private final Supplier<PolicyEngine> active;
    private final Supplier<Optional<Snapshot>> snapshots;
    private final BundleTrust trust;

    public PolicyLifecycle(BundleStore bundles, Supplier<PolicyEngine> active, Supplier<Optional<Snapshot>> snapshots,
                           SecretResolver secrets) {
        this.bundles = bundles;
        this.active = active;
        this.snapshots = snapshots;
        this.trust = new BundleTrust(snapshots, secrets);
    }

    /** Checks a packed bundle and stores it under {@code name}; it serves only once activated. */
    public Uploaded upload(String name, byte[] bytes, String actor) {
        requireName(name);
        if (bytes.length == 0 || bytes.length > MAX_BUNDLE_BYTES) {
            throw new PlinthException.Invalid("BUNDLE_INVALID", "the body must be a bundle of 1 to " + MAX_BUNDLE_BYTES + " bytes");
        }
        Bundle bundle = refusing("", () -> {
            Bundle read = Bundle.read(new ByteArrayInputStream(bytes));
            trust.check(read);
            BundleCheck.load(read, 1, 0, network());
            return read;
        });
        bundles.put(name, bundle.revision(), bundle.entrypoints(), bytes, actor);
        return new Uploaded(name, bundle.revision(), bytes.length, bundle.entrypoints());
    }

    /**
     * Evaluates the uploaded bundle {@code name} and the active one on {@code cases}, or
     * without them on the active engine's sample of recent decisions, and reports every case
     * whose answer differs.
     */
    public Impact diff(String name, Optional<List<Case>> cases) {
        PolicyEngine current = active.get();
        PolicyEngine candidate = refusing("", () -> BundleCheck.load(read(name), 1, 0, network()));
        snapshots.get().ifPresent(s -> candidate.replaceData(s.generation(), s.globalData()));
        List<Case> evaluated = new ArrayList<>();
        if (cases.isPresent()) {
            if (cases.get().size() > MAX_DIFF_CASES) {
                throw new PlinthException.Invalid("VALIDATION_FAILED", "\"inputs\" must be an array of at most " + MAX_DIFF_CASES + " cases");
            }
            for (Case c : cases.get()) {
                if (!candidate.bundle().entrypoints().contains(c.entrypoint()) && !current.bundle().entrypoints().contains(c.entrypoint())) {
                    throw new PlinthException.Invalid("VALIDATION_FAILED", "neither bundle has the entrypoint " + c.entrypoint());
                }
                evaluated.add(c);
            }
        } else {
            current.sample().entries().forEach(e -> evaluated.add(new Case(e.entrypoint(), e.input())));
        }
        List<Change> changed = new ArrayList<>();
        for (Case c : evaluated) {
            JsonNode before = evaluate(current, c);
            JsonNode after = evaluate(candidate, c);
            if (!before.equals(after)) {
                changed.add(new Change(c.entrypoint(), c.input(), before, after,
                        DECISION_FIELDS.stream().filter(f -> !before.path(f).equals(after.path(f))).toList()));
            }
        }
        return new Impact(candidate.bundleRevision(), current.bundleRevision(), evaluated.size(),
                cases.isPresent() ? "posted" : "recent decisions", List.copyOf(changed));
    }

    /** The active bundle and the previous one. */
    public BundleStore.Active current() {
        return bundles.current();
    }

    /** Activates the uploaded bundle {@code name}, or the built-in one when null, if the signing policy allows it. */
    public BundleStore.Active activate(String name, AdminStore.Idempotency idempotency) {
        if (name != null) {
            refusing("bundle " + name + " may not be activated: ", () -> {
                trust.check(read(name));
                return null;
            });
        }
        return bundles.activate(name, idempotency);
    }

    /** Activates the previous bundle again, if the signing policy still allows it. */
    public BundleStore.Active rollback(AdminStore.Idempotency idempotency) {
        String previous = bundles.current().previousName();
        if (previous != null) {
            refusing("bundle " + previous + " may not be rolled back to: ", () -> {
                trust.check(read(previous));
                return null;
            });
        }
        return bundles.rollback(idempotency);
    }

    /**
     * The engine for {@code policy/active} as a replica loads it: every replica applies the
     * signing policy itself, since {@code policy/active} is only a pointer.
     *
     * @throws RuntimeException when the bundle does not load or is not trusted (the caller keeps the current engine)
     */
    public PolicyEngine load(BundleStore.Active pointer, int poolSize, int cacheEntries) {
        if (pointer.name() == null) {
            return PolicyEngine.builtin();
        }
        return load(pointer, bundles.read(pointer.name()), poolSize, cacheEntries);
    }

    /** As {@link #load(BundleStore.Active, int, int)}, from the bundle's bytes already read (or kept on disk). */
    public PolicyEngine load(BundleStore.Active pointer, byte[] bytes, int poolSize, int cacheEntries) {
        if (pointer.name() == null) {
            return PolicyEngine.builtin();
        }
        requireName(pointer.name());
        Bundle bundle = Bundle.read(new ByteArrayInputStream(bytes));
        trust.check(bundle);
        return BundleCheck.load(bundle, poolSize, cacheEntries, network());
    }

    /** The stored bytes of a bundle. */
    public byte[] bytes(String name) {
        requireName(name);
        return bundles.read(name);
    }

    /** {@code tenants/t_system.defaults.network_builtins}: what http.send and net.lookup_ip_addr may reach (nothing without it). */
    public static NetworkAccess networkAccess(Snapshot s) {
        return NetworkAccess.of(s.globalData().path("plinth").path("defaults").path("network_builtins"));
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new PlinthException.Invalid("VALIDATION_FAILED", "bundle name must match " + NAME.pattern());
        }
    }

    private Bundle read(String name) {
        requireName(name);
        return Bundle.read(new ByteArrayInputStream(bundles.read(name)));
    }

    /** What data lets a bundle's network builtins reach; a malformed setting refuses the bundle, naming it. */
    private NetworkAccess network() {
        try {
            return snapshots.get().map(PolicyLifecycle::networkAccess).orElse(NetworkAccess.NONE);
        } catch (IllegalArgumentException e) {
            throw new PlinthException.Invalid("BUNDLE_INVALID", e.getMessage());
        }
    }

    private static <T> T refusing(String prefix, Supplier<T> check) {
        try {
            return check.get();
        } catch (EngineException e) {
            throw new PlinthException.Invalid("BUNDLE_INVALID", prefix + e.getMessage());
        }
    }

    private static JsonNode evaluate(PolicyEngine engine, Case c) {
        try {
            return engine.evaluate(c.entrypoint(), c.input()).orElse(Json.MAPPER.createObjectNode().put("undefined", true));
        } catch (EngineException e) {
            return Json.MAPPER.createObjectNode().put("error", e.code());
        }
    }
}

package dev.plinth.backends;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a resource lives inside a backend: tenant, env and kind, all already validated by
 * context resolution and routing. Keys are checked here, identically for every backend, so
 * a key one backend would refuse (Firestore reserves {@code __…__} ids) is refused by all,
 * as a client error, before anything is sent.
 */
public record Partition(String tenantId, String env, String kind) {

    /** Keys: 1–200 characters, URL-safe, no slashes (they become document ids and key parts). */
    public static final Pattern KEY = Pattern.compile("^[A-Za-z0-9._~-]{1,200}$");

    public Partition {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(kind, "kind");
    }

    public static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.equals(".") || key.equals("..")) {
            throw new StoreException.InvalidKey("key '" + key + "' must match " + KEY.pattern());
        }
        if (key.length() >= 4 && key.startsWith("__") && key.endsWith("__")) {
            throw new StoreException.InvalidKey("key '" + key + "' is reserved: keys may not both start and end with '__'");
        }
        return key;
    }
}

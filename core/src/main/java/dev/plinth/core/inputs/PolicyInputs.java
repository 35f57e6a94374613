package dev.plinth.core.inputs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entrypoints Plinth itself calls, and the record each one's input is: the one list the
 * contract's input schemas ({@code docs/contract/inputs/}) are generated from.
 */
public final class PolicyInputs {

    /** Entrypoint → input record. */
    public static final Map<String, Class<? extends Record>> BY_ENTRYPOINT = byEntrypoint();

    private PolicyInputs() {}

    private static Map<String, Class<? extends Record>> byEntrypoint() {
        var m = new LinkedHashMap<String, Class<? extends Record>>();
        m.put(AuthzDecisionInput.ENTRYPOINT, AuthzDecisionInput.class);
        m.put(RouteInput.ENTRYPOINT, RouteInput.class);
        m.put(BackendInput.ENTRYPOINT, BackendInput.class);
        m.put(AclInput.ENTRYPOINT, AclInput.class);
        return java.util.Collections.unmodifiableMap(m);
    }
}

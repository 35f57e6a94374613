package dev.plinth.core.bootstrap;

import java.util.Map;

/** What production Firestore needs before a Plinth starts on it (bootstrap: it reads the environment). */
public final class ProductionFirestore {

    private ProductionFirestore() {}

    /** {@link #check(Map, java.util.concurrent.Callable)} on this process's environment and Google's credentials lookup. */
    public static void check() {
        check(System.getenv(), com.google.auth.oauth2.GoogleCredentials::getApplicationDefault);
    }

    /**
     * Without an emulator host Plinth talks to production Firestore, and fails its start,
     * naming what is missing, rather than reach anything else: the Firestore client would
     * silently follow a {@code FIRESTORE_EMULATOR_HOST} left in the environment, and without
     * Application Default Credentials every call would fail later, one by one.
     *
     * @param adc the Application Default Credentials lookup (Google's, in production)
     */
    public static void check(Map<String, String> env,
                                                  java.util.concurrent.Callable<com.google.auth.oauth2.GoogleCredentials> adc) {
        String stray = env.get("FIRESTORE_EMULATOR_HOST");
        if (stray != null && !stray.isBlank()) {
            throw new IllegalStateException("FIRESTORE_EMULATOR_HOST is set (" + stray + ") but PLINTH_FIRESTORE_EMULATOR_HOST is not: the"
                    + " Firestore client would silently use that emulator, and Plinth never falls back to one. Unset"
                    + " FIRESTORE_EMULATOR_HOST for production Firestore, or set PLINTH_FIRESTORE_EMULATOR_HOST to use the emulator");
        }
        try {
            adc.call();
        } catch (Exception e) {
            throw new IllegalStateException("no Google credentials for production Firestore (" + e.getMessage() + "): set"
                    + " GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or run where Application Default Credentials"
                    + " resolve (a GCP workload identity, gcloud auth application-default login); for an emulator set"
                    + " PLINTH_FIRESTORE_EMULATOR_HOST", e);
        }
    }

}

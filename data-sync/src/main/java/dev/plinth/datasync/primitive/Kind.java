package dev.plinth.datasync.primitive;

import com.google.cloud.firestore.FieldPath;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.Query;
import dev.plinth.datasync.model.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The control-plane primitives, the one registry: where each is stored (collection, tenant
 * scope), its id grammar, the record it is mirrored as and how a document becomes one, its
 * fields, what it references (checked on write, in the write's transaction), what depends on
 * it (checked on delete), its schema name and an example body. The listeners (one per kind),
 * the snapshot's parsing, the admin API's routes and validation, the contract's schemas and
 * the OpenAPI examples are all derived from this table.
 */
public enum Kind {
    TENANTS("tenants", false, Ids.TENANT, "tenant", Records.Tenant.class, DocumentParser::tenant,
            "{\"id\": \"t_example\", \"allowed_envs\": [\"dev\"], \"mode\": \"saas\"}"),
    USERS("users", false, Ids.USER, "user", Records.User.class, DocumentParser::user,
            "{\"id\": \"u_example\", \"identities\": [{\"issuer\": \"https://plinth.local/dev\", \"subject\": \"u_example\"}]}"),
    MODES("modes", false, Ids.NAME, "mode", Records.Mode.class, DocumentParser::mode,
            "{\"id\": \"example\", \"attributes\": {}}"),
    SURFACES("surfaces", false, Ids.SURFACE, "surface", Records.Surface.class, DocumentParser::surface,
            "{\"id\": \"s_example\", \"mode\": \"saas\"}"),
    APPS("apps", false, Ids.APP, "app", Records.App.class, DocumentParser::app,
            "{\"id\": \"a_example\", \"surface\": \"s_example\", \"subscribable\": true}"),
    IDENTITY_PROVIDERS("identity_providers", false, Ids.NAME, "identity_provider", Records.IdentityProvider.class,
            DocumentParser::identityProvider,
            "{\"id\": \"example\", \"issuer\": \"https://idp.example\", \"audience\": \"plinth\", \"algorithm\": \"RS256\", "
                    + "\"jwks_url\": \"https://idp.example/jwks.json\"}"),
    SECRETS("secrets", false, Ids.NAME, "secret_mapping", Records.SecretMapping.class, DocumentParser::secret,
            "{\"id\": \"example_key\", \"provider\": \"gsm\", \"reference\": \"projects/p/secrets/example-key\"}"),
    BACKENDS("backends", false, Ids.NAME, "backend", Records.Backend.class, DocumentParser::backend,
            "{\"id\": \"redis_eu\", \"type\": \"redis\", \"settings\": {\"host\": \"10.0.0.5\", \"port\": 6379}, "
                    + "\"secrets\": {\"password\": \"redis_eu_password\"}}"),
    RESOURCE_KINDS("resource_kinds", false, Ids.NAME, "resource_kind", Records.ResourceKind.class, DocumentParser::resourceKind,
            "{\"id\": \"example_kind\", \"model\": \"document\"}"),
    ROUTES("routes", false, Ids.NAME, "route", Records.Route.class, DocumentParser::route,
            "{\"id\": \"acme_flags\", \"kind\": \"feature_flags\", \"tenant\": \"t_acme\", \"backend\": \"redis_eu\"}"),
    MEMBERS("members", true, Ids.USER, "membership", Records.Membership.class, DocumentParser::membership,
            "{\"id\": \"u_example\", \"roles\": [\"member\"]}"),
    SUBSCRIPTIONS("subscriptions", true, Ids.APP, "subscription", Records.Subscription.class, DocumentParser::subscription,
            "{\"id\": \"a_example\"}"),
    PROJECTS("projects", true, Ids.PROJECT, "project", Records.Project.class, DocumentParser::project,
            "{\"id\": \"p_example\", \"app\": \"a_example\", \"name\": \"Example\"}");

    /** A refused document: every reason, each naming its field. */
    public static final class Invalid extends RuntimeException {
        private final List<String> errors;

        public Invalid(List<String> errors) {
            super(String.join("; ", errors));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }
    }

    /** Identifier grammars (DESIGN.md §3). */
    public static final class Ids {
        // At most 64 characters: ids become document ids, key parts and log fields.
        public static final Pattern TENANT = Pattern.compile("^t_[a-z0-9_-]{1,62}$");
        public static final Pattern USER = Pattern.compile("^u_[a-z0-9_-]{1,62}$");
        public static final Pattern SURFACE = Pattern.compile("^s_[a-z0-9_-]{1,62}$");
        public static final Pattern APP = Pattern.compile("^a_[a-z0-9_-]{1,62}$");
        public static final Pattern PROJECT = Pattern.compile("^p_[a-z0-9_-]{1,62}$");
        public static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
        public static final Pattern ENV = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");

        private Ids() {}
    }

    public static final Set<String> STATUSES = Set.of("active", "suspended");
    public static final Set<String> ROLES = Set.of("owner", "admin", "member", "viewer");
    static final Set<String> BACKEND_TYPES = Set.of("firestore", "redis");
    /** The settings each backend type takes (name → "string", "integer" or "boolean"): the one schema the admin API checks. */
    public static final Map<String, Map<String, String>> BACKEND_SETTINGS = Map.of(
            "firestore", Map.of("project", "string", "database", "string", "collection", "string"),
            // tls: connect over TLS, verifying the server's certificate (against ca_certificate when given).
            "redis", Map.of("host", "string", "port", "integer", "database", "integer", "tls", "boolean"));
    /**
     * The secrets each backend type takes, by slot; their values are logical secret names, never
     * secrets. A redis {@code ca_certificate} is the PEM of the CA a TLS server's certificate is
     * checked against (without it, the JVM's trusted CAs).
     */
    public static final Map<String, Set<String>> BACKEND_SECRETS = Map.of("firestore", Set.of(), "redis",
            Set.of("password", "ca_certificate"));
    /** Resource models; {@code external} kinds are answered by the spine but stored outside Plinth. */
    static final Set<String> MODELS = Set.of("document", "counter", "lock", "budget", "event_log", "rate_limit", "external");
    /** Plinth services that own a kind's data; their kinds are not served by the generic resource API. */
    public static final Set<String> SERVICES = Set.of("realtime");
    static final Set<String> ALGORITHMS = Set.of("HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
            "ES256", "ES384", "ES512", "PS256", "PS384", "PS512");

    private static boolean settingHasType(Object value, String expected) {
        return switch (expected) {
            case "string" -> value instanceof String;
            case "boolean" -> value instanceof Boolean;
            default -> value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= 0 && n.longValue() <= 65_535;
        };
    }

    /** A document that must exist (and be usable) for a write to be valid. */
    public record Ref(String path, String what, Predicate<Map<String, Object>> usable, String unusable) {
        static Ref exists(String path, String what) {
            return new Ref(path, what, d -> true, null);
        }
    }

    /** Documents that depend on the one being deleted. */
    public record Dependents(String what, Query query, boolean cascadable) {}

    private final String collection;
    private final boolean tenantScoped;
    private final Pattern idPattern;
    private final String schemaName;
    private final Class<? extends Record> recordType;
    private final Function<DocumentParser.Doc, Object> parser;
    private final String example;

    Kind(String collection, boolean tenantScoped, Pattern idPattern, String schemaName, Class<? extends Record> recordType,
         Function<DocumentParser.Doc, Object> parser, String example) {
        this.collection = collection;
        this.tenantScoped = tenantScoped;
        this.idPattern = idPattern;
        this.schemaName = schemaName;
        this.recordType = recordType;
        this.parser = parser;
        this.example = example;
    }

    /** The name of the primitive's JSON Schema ({@code docs/contract/schemas/<name>.json}), as policies name it. */
    public String schemaName() {
        return schemaName;
    }

    /** The record the snapshot mirrors a document as. */
    public Class<? extends Record> recordType() {
        return recordType;
    }

    /** A body the admin API accepts, shown in the OpenAPI document (and checked by the tests to be accepted). */
    public String example() {
        return example;
    }

    /** The mirrored record of a stored document. */
    public Object parse(DocumentParser.Doc document) {
        return parser.apply(document);
    }

    /** Listened to as a collection group (every {@code tenants/{t}/<collection>}). */
    public boolean collectionGroup() {
        return tenantScoped;
    }

    public String collection() {
        return collection;
    }

    public boolean tenantScoped() {
        return tenantScoped;
    }

    public Pattern idPattern() {
        return idPattern;
    }

    public static Optional<Kind> ofCollection(String collection) {
        for (Kind k : values()) {
            if (k.collection.equals(collection)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /**
     * Validates a document given by its path (as in the seed file) and answers the stored
     * form, with the derived fields a write through the admin API would have. Paths of
     * collections that are not primitives (e.g. {@code secrets/…}) are answered unchanged.
     */
    public static Map<String, Object> normalize(String path, Map<String, Object> data) {
        String[] parts = path.split("/");
        Optional<Kind> kind = Optional.empty();
        String tenant = null;
        if (parts.length == 2) {
            kind = ofCollection(parts[0]).filter(k -> !k.tenantScoped);
        } else if (parts.length == 4 && parts[0].equals("tenants")) {
            kind = ofCollection(parts[2]).filter(k -> k.tenantScoped);
            tenant = parts[1];
        }
        if (kind.isEmpty()) {
            return data;
        }
        return kind.get().validate(tenant, parts[parts.length - 1], data).document();
    }

    /** The document path, e.g. {@code tenants/t_acme/members/u_ana}. */
    public String path(String tenantId, String id) {
        return tenantScoped ? "tenants/" + tenantId + "/" + collection + "/" + id : collection + "/" + id;
    }

    /** Reads and checks the body; answers the normalized document and the references to check. */
    public Validated validate(String tenantId, String id, Map<String, Object> input) {
        var errors = new ArrayList<String>();
        if (tenantScoped && (tenantId == null || !Ids.TENANT.matcher(tenantId).matches())) {
            errors.add("tenant id '" + tenantId + "' must match " + Ids.TENANT.pattern());
        }
        if (id == null || !idPattern.matcher(id).matches()) {
            errors.add(collection + " id '" + id + "' must match " + idPattern.pattern());
        }
        Body b = new Body(input);
        var refs = new ArrayList<Ref>();
        if (tenantScoped) {
            refs.add(Ref.exists("tenants/" + tenantId, "tenant " + tenantId));
        }
        read(b, tenantId, id, input, refs);
        // Queryable back-references, written by Plinth, never by the caller.
        Set<String> derived = Set.of("id", "tenant_id", "user_id", "app_id", "etag");
        b.rejectUnknown(derived);
        errors.addAll(b.errors());
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
        var doc = new java.util.LinkedHashMap<>(b.out());
        if (tenantScoped) {
            doc.put("tenant_id", tenantId);
        }
        if (this == MEMBERS) {
            doc.put("user_id", id);
        }
        if (this == SUBSCRIPTIONS) {
            doc.put("app_id", id);
        }
        return new Validated(doc, refs);
    }

    /** Reads each field of this kind from the body (checking it), and collects the references to check. */
    private void read(Body b, String tenantId, String id, Map<String, Object> input, List<Ref> refs) {
        switch (this) {
            case TENANTS -> {
                b.oneOf("status", STATUSES, "active");
                String mode = b.matching("mode", false, Ids.NAME);
                if (mode != null) {
                    refs.add(Ref.exists("modes/" + mode, "mode " + mode));
                }
                b.strings("allowed_envs", true, Ids.ENV, 1, 50);
                for (String s : b.strings("surfaces", false, Ids.SURFACE, 0, 100)) {
                    refs.add(Ref.exists("surfaces/" + s, "surface " + s));
                }
                b.stringMap("labels");
                b.string("display_name", false, 200);
                b.object("defaults");
            }
            case USERS -> {
                b.oneOf("status", STATUSES, "active");
                b.string("display_name", false, 200);
                for (Map<String, Object> identity : b.objects("identities")) {
                    if (!(identity.get("issuer") instanceof String) || !(identity.get("subject") instanceof String)
                            || identity.size() != 2) {
                        b.error("'identities' entries must be {\"issuer\": string, \"subject\": string}");
                    }
                }
            }
            case MODES -> {
                b.object("attributes");
                b.string("display_name", false, 200);
            }
            case SURFACES -> {
                b.oneOf("status", STATUSES, "active");
                String mode = b.matching("mode", false, Ids.NAME);
                if (mode != null) {
                    refs.add(Ref.exists("modes/" + mode, "mode " + mode));
                }
                b.object("policy_defaults");
                b.string("display_name", false, 200);
            }
            case APPS -> {
                String surface = b.matching("surface", true, Ids.SURFACE);
                if (surface != null) {
                    refs.add(Ref.exists("surfaces/" + surface, "surface " + surface));
                }
                b.bool("subscribable", true);
                b.oneOf("status", STATUSES, "active");
                b.string("display_name", false, 200);
            }
            case IDENTITY_PROVIDERS -> {
                b.string("issuer", true, 500);
                b.string("audience", true, 500);
                b.oneOf("algorithm", ALGORITHMS, null);
                if (input == null || input.get("algorithm") == null) {
                    b.error("'algorithm' is required");
                }
                String secret = b.matching("key_secret", false, Ids.NAME);
                if (secret != null) {
                    refs.add(Ref.exists("secrets/" + secret, "secret mapping " + secret));
                }
                String jwks = b.string("jwks_url", false, 2000);
                if ((secret == null) == (jwks == null)) {
                    b.error("exactly one of 'key_secret' and 'jwks_url' is required");
                }
                if (jwks != null && !jwks.startsWith("https://") && !jwks.startsWith("http://")) {
                    b.error("'jwks_url' must be an http(s) URL");
                }
                b.bool("dev", false);
                b.integer("max_token_lifetime_seconds", 60, 366L * 86_400);
            }
            case SECRETS -> {
                // A mapping, never a value: which provider holds the secret, under what reference.
                String provider = b.oneOf("provider", Set.of("file", "gsm"), null);
                String reference = b.string("reference", true, 500);
                if (input == null || input.get("provider") == null) {
                    b.error("'provider' is required");
                }
                if ("gsm".equals(provider) && reference != null
                        && !dev.plinth.datasync.secrets.GsmSecretProvider.validReference(reference)) {
                    b.error("'reference' for gsm must be projects/<p>/secrets/<s>[/versions/<v>]");
                }
                if (input != null && (input.containsKey("value") || input.containsKey("secret"))) {
                    b.error("secret values are never stored in the control plane; put the value in the provider");
                }
            }
            case BACKENDS -> {
                String type = b.oneOf("type", BACKEND_TYPES, null);
                if (input == null || input.get("type") == null) {
                    b.error("'type' is required");
                }
                Map<String, Object> settings = b.object("settings");
                Map<String, String> allowed = type == null ? Map.of() : BACKEND_SETTINGS.get(type);
                if (settings != null && type != null) {
                    // By schema, so a secret can never be smuggled in as a setting (settings are shown to members).
                    for (Map.Entry<String, Object> e : settings.entrySet()) {
                        String expected = allowed.get(e.getKey());
                        if (expected == null) {
                            b.error("setting '" + e.getKey() + "' is not one a " + type + " backend takes (" + new java.util.TreeSet<>(allowed.keySet())
                                    + "); secrets go under 'secrets' as logical secret names");
                        } else if (!settingHasType(e.getValue(), expected)) {
                            b.error("setting '" + e.getKey() + "' must be " + switch (expected) {
                                case "string" -> "a string";
                                case "boolean" -> "true or false";
                                default -> "an integer from 0 to 65535";
                            });
                        }
                    }
                }
                Set<String> secretSlots = type == null ? Set.of() : BACKEND_SECRETS.get(type);
                for (Map.Entry<String, String> e : b.stringMap("secrets").entrySet()) {
                    if (type != null && !secretSlots.contains(e.getKey())) {
                        b.error("'secrets' entry '" + e.getKey() + "' is not one a " + type + " backend takes (" + new java.util.TreeSet<>(secretSlots) + ")");
                    } else if (!Ids.NAME.matcher(e.getValue()).matches()) {
                        b.error("'secrets' entry '" + e.getKey() + "' must name a logical secret (" + Ids.NAME.pattern() + ")");
                    } else {
                        refs.add(Ref.exists("secrets/" + e.getValue(), "secret mapping " + e.getValue()));
                    }
                }
                b.oneOf("status", STATUSES, "active");
            }
            case RESOURCE_KINDS -> {
                b.oneOf("model", MODELS, null);
                if (input == null || input.get("model") == null) {
                    b.error("'model' is required");
                }
                b.string("description", false, 500);
                b.oneOf("service", SERVICES, null);
            }
            case ROUTES -> {
                String kind = b.matching("kind", true, Ids.NAME);
                if (kind != null) {
                    refs.add(Ref.exists("resource_kinds/" + kind, "resource kind " + kind));
                }
                scope(b, "tenant", Ids.TENANT);
                scope(b, "surface", Ids.SURFACE);
                scope(b, "app", Ids.APP);
                scope(b, "project", Ids.PROJECT);
                String backend = b.matching("backend", true, Ids.NAME);
                if (backend != null) {
                    refs.add(new Ref("backends/" + backend, "backend " + backend,
                            d -> !"suspended".equals(d.get("status")), "backend " + backend + " is suspended"));
                }
            }
            case MEMBERS -> {
                List<String> roles = b.strings("roles", true, null, 1, 4);
                for (String r : roles) {
                    if (!ROLES.contains(r)) {
                        b.error("'roles' entry '" + r + "' must be one of " + new java.util.TreeSet<>(ROLES));
                    }
                }
                b.oneOf("status", STATUSES, "active");
                refs.add(Ref.exists("users/" + id, "user " + id));
            }
            case SUBSCRIPTIONS -> {
                b.oneOf("status", STATUSES, "active");
                refs.add(new Ref("apps/" + id, "app " + id, d -> !Boolean.FALSE.equals(d.get("subscribable")),
                        "app " + id + " is not subscribable"));
            }
            case PROJECTS -> {
                String app = b.matching("app", true, Ids.APP);
                b.string("name", true, 200);
                b.oneOf("status", STATUSES, "active");
                if (app != null) {
                    refs.add(new Ref("tenants/" + tenantId + "/subscriptions/" + app,
                            "subscription of tenant " + tenantId + " to app " + app, d -> true, null));
                }
            }
        }
    }

    public record Validated(Map<String, Object> document, List<Ref> references) {}

    /**
     * The fields a body of this kind may carry, as validation reads them from this example
     * (fields that depend on another's value, a backend's secrets on its type, are read when
     * the example sets it).
     */
    public java.util.SortedSet<String> acceptedFields(Map<String, Object> example) {
        Body b = new Body(example);
        read(b, "t_example", "example", example, new ArrayList<>());
        return new java.util.TreeSet<>(b.fieldsRead());
    }

    /** A route scope field: an id of its grammar, or {@code *} (the default) for "any". */
    private static void scope(Body b, String field, Pattern grammar) {
        String value = b.string(field, false, 200);
        if (value == null) {
            b.out().put(field, "*");
        } else if (!value.equals("*") && !grammar.matcher(value).matches()) {
            b.error("'" + field + "' must be * or match " + grammar.pattern() + ", was '" + value + "'");
        }
    }

    /** What must be empty before a document of this kind may be deleted. */
    public List<Dependents> dependents(Firestore db, String tenantId, String id) {
        return switch (this) {
            case TENANTS -> List.of(
                    new Dependents("members", db.collection("tenants/" + id + "/members"), true),
                    new Dependents("subscriptions", db.collection("tenants/" + id + "/subscriptions"), true),
                    new Dependents("projects", db.collection("tenants/" + id + "/projects"), true));
            case USERS -> List.of(new Dependents("memberships",
                    db.collectionGroup("members").whereEqualTo("user_id", id), false));
            case MODES -> List.of(
                    new Dependents("tenants using the mode", db.collection("tenants").whereEqualTo("mode", id), false),
                    new Dependents("surfaces using the mode", db.collection("surfaces").whereEqualTo("mode", id), false));
            case SURFACES -> List.of(
                    new Dependents("apps on the surface", db.collection("apps").whereEqualTo("surface", id), false),
                    new Dependents("tenants on the surface", db.collection("tenants").whereArrayContains("surfaces", id), false));
            case APPS -> List.of(new Dependents("subscriptions",
                    db.collectionGroup("subscriptions").whereEqualTo("app_id", id), false));
            case SUBSCRIPTIONS -> List.of(new Dependents("projects of the app",
                    db.collection("tenants/" + tenantId + "/projects").whereEqualTo("app", id), false));
            case SECRETS -> List.of(new Dependents("identity providers using the secret",
                    db.collection("identity_providers").whereEqualTo("key_secret", id), false));
            case BACKENDS -> List.of(new Dependents("routes to the backend",
                    db.collection("routes").whereEqualTo("backend", id), false));
            case RESOURCE_KINDS -> List.of(new Dependents("routes of the kind",
                    db.collection("routes").whereEqualTo("kind", id), false));
            case IDENTITY_PROVIDERS, MEMBERS, PROJECTS, ROUTES -> List.of();
        };
    }

    public static Query byId(Firestore db, String collectionPath) {
        return db.collection(collectionPath).orderBy(FieldPath.documentId());
    }
}

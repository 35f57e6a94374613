package dev.plinth.datasync;

import dev.plinth.datasync.primitive.DocumentParser;
import dev.plinth.datasync.primitive.DocumentParser.Doc;
import dev.plinth.datasync.primitive.Kind;
import dev.plinth.datasync.model.Snapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The record key and the record of each document one listen stream delivers for one
 * {@link Kind}. A record shares its id string with its map key (users, tenants, …), and
 * the documents of one tenant share one tenant-id string: at a million memberships that is
 * a seventh less heap. A document that cannot be parsed is named in the log and answers
 * null (it counts as gone); one of an unexpected shape is keyed by its path.
 *
 * <p>Not thread-safe: a stream calls it on its own thread, one document at a time.
 */
final class KindParser implements ListenStream.Parser {

    private static final Logger LOG = Logger.getLogger(KindParser.class.getName());

    private final Kind source;
    private final Map<String, String> tenantIds = new HashMap<>();

    KindParser(Kind source) {
        this.source = source;
    }

    @Override
    public String key(String documentPath) {
        if (!source.tenantScoped()) {
            return DocumentParser.idOf(documentPath);
        }
        try {
            return Snapshot.tenantScopedKey(tenant(documentPath), DocumentParser.idOf(documentPath));
        } catch (IllegalArgumentException e) {
            return documentPath; // skipped when parsed
        }
    }

    @Override
    public Object parse(String documentPath, String key, Map<String, Object> fields) {
        if (fields == null) {
            LOG.warning("skipping malformed control-plane document " + documentPath + ": a field has a value Plinth cannot read");
            return null;
        }
        try {
            Doc d = source.tenantScoped()
                    ? new Doc(documentPath, DocumentParser.idOf(documentPath), tenant(documentPath), fields)
                    : new Doc(documentPath, key, null, fields);
            return source.parse(d);
        } catch (RuntimeException e) {
            // One malformed document must not take the replica down.
            LOG.log(Level.WARNING, "skipping malformed control-plane document " + documentPath + ": " + e.getMessage());
            return null;
        }
    }

    private String tenant(String documentPath) {
        return tenantIds.computeIfAbsent(DocumentParser.tenantOf(documentPath), t -> t);
    }
}

package dev.plinth.datasync;

import com.google.firestore.v1.ArrayValue;
import com.google.firestore.v1.Document;
import com.google.firestore.v1.DocumentChange;
import com.google.firestore.v1.ListenResponse;
import com.google.firestore.v1.MapValue;
import com.google.firestore.v1.Value;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Timestamp;
import com.google.protobuf.WireFormat;
import com.google.type.LatLng;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Listen response's document change from its protobuf bytes straight into plain
 * Java values: strings, {@code Long}, {@code Double}, booleans, lists, maps; timestamps as
 * RFC 3339 strings, bytes as base64, geo points as {@code {latitude, longitude}}.
 *
 * <p>Design note. A cold start receives one message per document, two million of them at
 * a million memberships. The generated parser builds each one through builders, map
 * entries and a linked hash map per level: measured here, 3.4 KB allocated and 1.2–3.1 µs
 * per user document, to be converted again into plain values and thrown away. This reader
 * allocates only the values Plinth keeps. It covers exactly the messages that are a
 * single document change with the value types of stored documents; anything else
 * (target changes, deletes, a value type it does not know, a field repeated where
 * protobuf would merge) answers null, and the caller uses the generated parser, whose
 * result {@link #plainFields} turns into the same plain values. The tests hold the two
 * paths equal for every value type.
 */
final class ListenWire {
    private ListenWire() {}

    /** A document change: the document's full name, its fields (null when they cannot be read), the targets it matches and left. */
    record Change(String name, Map<String, Object> fields, List<Integer> targetIds, List<Integer> removedTargetIds) {}

    /** This reader does not cover the message; the generated parser will. */
    private static final class NotCovered extends Exception {
        NotCovered() {
            super(null, null, false, false);
        }
    }

    private static final NotCovered NOT_COVERED = new NotCovered();

    // Field numbers of google/firestore/v1 (firestore.proto, document.proto, write.proto).
    private static final int RESPONSE_DOCUMENT_CHANGE = ListenResponse.DOCUMENT_CHANGE_FIELD_NUMBER;
    private static final int CHANGE_DOCUMENT = DocumentChange.DOCUMENT_FIELD_NUMBER;
    private static final int CHANGE_TARGET_IDS = DocumentChange.TARGET_IDS_FIELD_NUMBER;
    private static final int CHANGE_REMOVED_TARGET_IDS = DocumentChange.REMOVED_TARGET_IDS_FIELD_NUMBER;
    private static final int DOCUMENT_NAME = Document.NAME_FIELD_NUMBER;
    private static final int DOCUMENT_FIELDS = Document.FIELDS_FIELD_NUMBER;
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;

    /**
     * The document change {@code message} carries, read directly; null when the message is
     * anything else or this reader does not cover it.
     */
    static Change documentChange(byte[] message) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(message);
            int tag = in.readTag();
            if (tag != (RESPONSE_DOCUMENT_CHANGE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED)) { // protobuf's tag: field << 3 | wire type
                return null;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            Change change = change(in);
            in.popLimit(limit);
            return in.isAtEnd() ? change : null;
        } catch (NotCovered | IOException | RuntimeException e) {
            return null;
        }
    }

    private static Change change(CodedInputStream in) throws IOException, NotCovered {
        ReadDocument document = null;
        List<Integer> targets = new ArrayList<>(1);
        List<Integer> removed = new ArrayList<>(0);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case CHANGE_DOCUMENT -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    if (document != null) {
                        throw NOT_COVERED; // a repeated message field: protobuf merges
                    }
                    int limit = in.pushLimit(in.readRawVarint32());
                    document = document(in);
                    in.popLimit(limit);
                }
                case CHANGE_TARGET_IDS -> ids(in, tag, targets);
                case CHANGE_REMOVED_TARGET_IDS -> ids(in, tag, removed);
                default -> in.skipField(tag);
            }
        }
        if (document == null) {
            throw NOT_COVERED; // a change without a document: leave it to the generated parser
        }
        return new Change(document.name(), document.fields(), targets, removed);
    }

    private record ReadDocument(String name, Map<String, Object> fields) {}

    /** A document's name (protobuf's "" when absent) and fields, up to the current limit; times are skipped. */
    private static ReadDocument document(CodedInputStream in) throws IOException, NotCovered {
        String name = null;
        Map<String, Object> fields = new HashMap<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case DOCUMENT_NAME -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    if (name != null) {
                        throw NOT_COVERED;
                    }
                    name = in.readStringRequireUtf8();
                }
                case DOCUMENT_FIELDS -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    entry(in, fields);
                }
                default -> in.skipField(tag); // create and update times
            }
        }
        return new ReadDocument(name == null ? "" : name, fields);
    }

    /** Repeated int32, packed or not. */
    private static void ids(CodedInputStream in, int tag, List<Integer> into) throws IOException, NotCovered {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                into.add(in.readInt32());
            }
            in.popLimit(limit);
        } else {
            expect(tag, WireFormat.WIRETYPE_VARINT);
            into.add(in.readInt32());
        }
    }

    /** One map entry (key 1, value 2) into {@code into}; a missing key is "", a missing value null, as protobuf reads them. */
    private static void entry(CodedInputStream in, Map<String, Object> into) throws IOException, NotCovered {
        int limit = in.pushLimit(in.readRawVarint32());
        String key = "";
        Object value = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case ENTRY_KEY -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    key = in.readStringRequireUtf8();
                }
                case ENTRY_VALUE -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    int valueLimit = in.pushLimit(in.readRawVarint32());
                    value = value(in);
                    in.popLimit(valueLimit);
                }
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        into.put(key, value);
    }

    /** A {@code Value}'s content up to the current limit; a Value with nothing set is null. */
    private static Object value(CodedInputStream in) throws IOException, NotCovered {
        Object v = null;
        boolean set = false;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (set) {
                throw NOT_COVERED; // two members of the oneof: protobuf's last-wins and merge rules apply
            }
            set = true;
            v = switch (WireFormat.getTagFieldNumber(tag)) {
                case Value.NULL_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_VARINT);
                    in.readEnum();
                    yield null;
                }
                case Value.BOOLEAN_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_VARINT);
                    yield in.readBool();
                }
                case Value.INTEGER_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_VARINT);
                    yield in.readInt64();
                }
                case Value.DOUBLE_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_FIXED64);
                    yield in.readDouble();
                }
                case Value.STRING_VALUE_FIELD_NUMBER, Value.REFERENCE_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    yield in.readStringRequireUtf8();
                }
                case Value.BYTES_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    yield Base64.getEncoder().encodeToString(in.readByteArray());
                }
                case Value.TIMESTAMP_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    yield nested(in, ListenWire::timestamp);
                }
                case Value.GEO_POINT_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    yield nested(in, ListenWire::geoPoint);
                }
                case Value.ARRAY_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    yield nested(in, ListenWire::array);
                }
                case Value.MAP_VALUE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    yield nested(in, ListenWire::map);
                }
                default -> throw NOT_COVERED; // a value type this reader does not know
            };
        }
        return v;
    }

    private interface Reader {
        Object read(CodedInputStream in) throws IOException, NotCovered;
    }

    private static Object nested(CodedInputStream in, Reader reader) throws IOException, NotCovered {
        int limit = in.pushLimit(in.readRawVarint32());
        Object v = reader.read(in);
        in.popLimit(limit);
        return v;
    }

    private static Object timestamp(CodedInputStream in) throws IOException, NotCovered {
        long seconds = 0;
        int nanos = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case Timestamp.SECONDS_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_VARINT);
                    seconds = in.readInt64();
                }
                case Timestamp.NANOS_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_VARINT);
                    nanos = in.readInt32();
                }
                default -> in.skipField(tag);
            }
        }
        return Instant.ofEpochSecond(seconds, nanos).toString();
    }

    private static Object geoPoint(CodedInputStream in) throws IOException, NotCovered {
        double latitude = 0;
        double longitude = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case LatLng.LATITUDE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_FIXED64);
                    latitude = in.readDouble();
                }
                case LatLng.LONGITUDE_FIELD_NUMBER -> {
                    expect(tag, WireFormat.WIRETYPE_FIXED64);
                    longitude = in.readDouble();
                }
                default -> in.skipField(tag);
            }
        }
        return Map.of("latitude", latitude, "longitude", longitude);
    }

    private static Object array(CodedInputStream in) throws IOException, NotCovered {
        var out = new ArrayList<Object>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == ArrayValue.VALUES_FIELD_NUMBER) {
                expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.add(nested(in, ListenWire::value));
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }

    private static Object map(CodedInputStream in) throws IOException, NotCovered {
        var out = new HashMap<String, Object>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == MapValue.FIELDS_FIELD_NUMBER) {
                expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                entry(in, out);
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }

    /** A known field with another wire type is an unknown field to protobuf: left to the generated parser. */
    private static void expect(int tag, int wireType) throws NotCovered {
        if (WireFormat.getTagWireType(tag) != wireType) {
            throw NOT_COVERED;
        }
    }

    /** The fields of a generated {@code Document} as the same plain values; null when one has a value type Plinth does not read. */
    static Map<String, Object> plainFields(Document document) {
        try {
            var out = new HashMap<String, Object>();
            document.getFieldsMap().forEach((k, v) -> out.put(k, plain(v)));
            return out;
        } catch (RuntimeException e) {
            return null; // an unknown value type, a timestamp out of range: the document counts as malformed
        }
    }

    /** A Firestore value as a plain Java value. */
    static Object plain(Value v) {
        return switch (v.getValueTypeCase()) {
            case NULL_VALUE, VALUETYPE_NOT_SET -> null;
            case BOOLEAN_VALUE -> v.getBooleanValue();
            case INTEGER_VALUE -> v.getIntegerValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case STRING_VALUE -> v.getStringValue();
            case TIMESTAMP_VALUE -> Instant.ofEpochSecond(v.getTimestampValue().getSeconds(), v.getTimestampValue().getNanos()).toString();
            case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
            case REFERENCE_VALUE -> v.getReferenceValue();
            case GEO_POINT_VALUE -> Map.of("latitude", v.getGeoPointValue().getLatitude(), "longitude", v.getGeoPointValue().getLongitude());
            case ARRAY_VALUE -> {
                var out = new ArrayList<Object>(v.getArrayValue().getValuesCount());
                v.getArrayValue().getValuesList().forEach(e -> out.add(plain(e)));
                yield out;
            }
            case MAP_VALUE -> {
                var out = new HashMap<String, Object>();
                v.getMapValue().getFieldsMap().forEach((k, e) -> out.put(k, plain(e)));
                yield out;
            }
            default -> throw new IllegalArgumentException("unsupported Firestore value type " + v.getValueTypeCase());
        };
    }
}

package dev.plinth.datasync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.firestore.v1.ArrayValue;
import com.google.firestore.v1.Document;
import com.google.firestore.v1.DocumentChange;
import com.google.firestore.v1.DocumentDelete;
import com.google.firestore.v1.ListenResponse;
import com.google.firestore.v1.MapValue;
import com.google.firestore.v1.TargetChange;
import com.google.firestore.v1.Value;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import com.google.type.LatLng;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The direct reader of document changes against the generated parser: for every value type
 * the two paths give the same plain values, and what the direct reader does not cover it
 * leaves to the generated parser (null) rather than guessing.
 */
class ListenWireTest {

    private static final String NAME = "projects/p/databases/(default)/documents/tenants/t_a/members/u_1";

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("string", Value.newBuilder().setStringValue("héllo ✓").build(), "héllo ✓"),
                Arguments.of("empty string", Value.newBuilder().setStringValue("").build(), ""),
                Arguments.of("integer", Value.newBuilder().setIntegerValue(-42).build(), -42L),
                Arguments.of("large integer", Value.newBuilder().setIntegerValue(Long.MAX_VALUE).build(), Long.MAX_VALUE),
                Arguments.of("double", Value.newBuilder().setDoubleValue(2.5).build(), 2.5),
                Arguments.of("boolean", Value.newBuilder().setBooleanValue(true).build(), true),
                Arguments.of("null", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build(), null),
                Arguments.of("nothing set", Value.getDefaultInstance(), null),
                Arguments.of("timestamp", Value.newBuilder().setTimestampValue(Timestamp.newBuilder().setSeconds(1_795_662_517).setNanos(135_961_000)).build(),
                        "2026-11-26T03:08:37.135961Z"),
                Arguments.of("bytes", Value.newBuilder().setBytesValue(ByteString.copyFrom(new byte[]{0, 1, (byte) 0xff})).build(), "AAH/"),
                Arguments.of("reference", Value.newBuilder().setReferenceValue("projects/p/databases/(default)/documents/users/u_1").build(),
                        "projects/p/databases/(default)/documents/users/u_1"),
                Arguments.of("geo point", Value.newBuilder().setGeoPointValue(LatLng.newBuilder().setLatitude(52.5).setLongitude(13.4)).build(),
                        Map.of("latitude", 52.5, "longitude", 13.4)),
                Arguments.of("array of mixed values", Value.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(Value.newBuilder().setStringValue("a")).addValues(Value.newBuilder().setIntegerValue(1))
                        .addValues(Value.newBuilder().setNullValue(NullValue.NULL_VALUE))).build(), java.util.Arrays.asList("a", 1L, null)),
                Arguments.of("empty array", Value.newBuilder().setArrayValue(ArrayValue.getDefaultInstance()).build(), List.of()),
                Arguments.of("nested map in an array", Value.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(Value.newBuilder().setMapValue(MapValue.newBuilder()
                                .putFields("issuer", Value.newBuilder().setStringValue("https://issuer.example").build())
                                .putFields("subject", Value.newBuilder().setStringValue("s-1").build())))).build(),
                        List.of(Map.of("issuer", "https://issuer.example", "subject", "s-1"))),
                Arguments.of("empty map", Value.newBuilder().setMapValue(MapValue.getDefaultInstance()).build(), Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void readsEveryValueTypeAsTheGeneratedParserDoes(String what, Value value, Object expected) {
        Document document = Document.newBuilder().setName(NAME).putFields("v", value).putFields("status", str("active"))
                .setCreateTime(Timestamp.newBuilder().setSeconds(1)).setUpdateTime(Timestamp.newBuilder().setSeconds(2)).build();
        byte[] message = change(document, List.of(1), List.of());

        ListenWire.Change direct = ListenWire.documentChange(message);

        assertThat(direct).isNotNull();
        assertThat(direct.name()).isEqualTo(NAME);
        assertThat(direct.targetIds()).containsExactly(1);
        assertThat(direct.removedTargetIds()).isEmpty();
        assertThat(direct.fields()).containsEntry("v", expected).containsEntry("status", "active").hasSize(2);
        assertThat(direct.fields()).isEqualTo(ListenWire.plainFields(document));
    }

    @Test
    void readsTargetIdsPackedAndUnpackedAndTheTargetsLeft() throws IOException {
        Document document = Document.newBuilder().setName(NAME).build();
        assertThat(ListenWire.documentChange(change(document, List.of(1, 7), List.of(3))))
                .satisfies(c -> {
                    assertThat(c.targetIds()).containsExactly(1, 7);
                    assertThat(c.removedTargetIds()).containsExactly(3);
                    assertThat(c.fields()).isEmpty();
                });

        // The same change with target ids written one by one (unpacked), as an older writer may.
        var bytes = new ByteArrayOutputStream();
        var out = CodedOutputStream.newInstance(bytes);
        out.writeMessage(DocumentChange.DOCUMENT_FIELD_NUMBER, document);
        out.writeInt32(DocumentChange.TARGET_IDS_FIELD_NUMBER, 1);
        out.writeInt32(DocumentChange.TARGET_IDS_FIELD_NUMBER, 7);
        out.flush();
        var response = new ByteArrayOutputStream();
        var top = CodedOutputStream.newInstance(response);
        top.writeByteArray(ListenResponse.DOCUMENT_CHANGE_FIELD_NUMBER, bytes.toByteArray());
        top.flush();
        assertThat(ListenResponse.parseFrom(response.toByteArray()).getDocumentChange().getTargetIdsList()).containsExactly(1, 7);
        assertThat(ListenWire.documentChange(response.toByteArray()).targetIds()).containsExactly(1, 7);
    }

    @Test
    void leavesEveryOtherMessageToTheGeneratedParser() {
        byte[] target = ListenResponse.newBuilder().setTargetChange(TargetChange.newBuilder()
                .setTargetChangeType(TargetChange.TargetChangeType.CURRENT).addTargetIds(1)).build().toByteArray();
        byte[] delete = ListenResponse.newBuilder().setDocumentDelete(DocumentDelete.newBuilder().setDocument(NAME)).build().toByteArray();
        assertThat(ListenWire.documentChange(target)).isNull();
        assertThat(ListenWire.documentChange(delete)).isNull();
        assertThat(ListenWire.documentChange(new byte[]{(byte) 0x1a, 0x7f})).as("truncated").isNull();
    }

    @Test
    void aValueTypeItDoesNotKnowIsLeftToTheGeneratedParserWhichFindsTheDocumentUnreadable() {
        Document document = Document.newBuilder().setName(NAME).putFields("status", str("active"))
                .putFields("v", Value.newBuilder().setFieldReferenceValue("a.b").build()).build();
        byte[] message = change(document, List.of(1), List.of());

        assertThat(ListenWire.documentChange(message)).isNull();
        assertThat(ListenWire.plainFields(document)).isNull();
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static byte[] change(Document document, List<Integer> targets, List<Integer> removed) {
        return ListenResponse.newBuilder().setDocumentChange(DocumentChange.newBuilder().setDocument(document)
                .addAllTargetIds(targets).addAllRemovedTargetIds(removed)).build().toByteArray();
    }
}

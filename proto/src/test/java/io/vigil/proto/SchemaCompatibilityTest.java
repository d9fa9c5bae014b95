package io.vigil.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The build fails when a change to a .proto file breaks the wire for consumers of the released schemas
 * ({@value #RELEASED}). On a release, {@code mvn -pl proto test -Dtest=SchemaCompatibilityTest
 * -Dvigil.schema.release=true} makes the current schemas the released ones.
 */
class SchemaCompatibilityTest {

    static final Path RELEASED = Path.of("src/test/resources/schema/released/vigil-v1.txtpb");

    static FileDescriptorSet released() throws Exception {
        FileDescriptorSet.Builder b = FileDescriptorSet.newBuilder();
        TextFormat.merge(Files.readString(RELEASED), b);
        return b.build();
    }

    @Test
    void theSchemasStillReadAndWriteWhatTheReleasedOnesDo() throws Exception {
        if (Boolean.getBoolean("vigil.schema.release")) {
            Files.createDirectories(RELEASED.getParent());
            Files.writeString(RELEASED, "# The released vigil.v1 schemas (SchemaCompatibilityTest); written on a release.\n"
                    + TextFormat.printer().printToString(SchemaCompatibility.current()));
        }
        assertEquals(List.of(), SchemaCompatibility.breaks(released(), SchemaCompatibility.current()));
    }

    @Test
    void removedRenumberedOrRetypedFieldsAndRemovedValuesBreakItAddedOnesDoNot() throws Exception {
        FileDescriptorSet released = released();
        assertTrue(breaks(released, m -> m.getName().equals("FrameScore")
                ? m.toBuilder().removeField(field(m, "smoothed_score")).build() : m).get(0)
                .contains("FrameScore.smoothed_score = "), "a removed field");
        assertTrue(breaks(released, m -> m.getName().equals("FrameScore")
                ? reserve(m.toBuilder().removeField(field(m, "smoothed_score")), number(m, "smoothed_score")) : m)
                .isEmpty(), "a removed field whose number is reserved");
        assertTrue(breaks(released, m -> m.getName().equals("FrameScore")
                ? m.toBuilder().setField(field(m, "smoothed_score"), m.getField(field(m, "smoothed_score")).toBuilder()
                        .setType(FieldDescriptorProto.Type.TYPE_STRING).build()).build() : m).get(0)
                .contains("changed type from TYPE_FLOAT to TYPE_STRING"));
        assertTrue(breaks(released, m -> m.getName().equals("FrameScore")
                ? m.toBuilder().setField(field(m, "smoothed_score"), m.getField(field(m, "smoothed_score")).toBuilder()
                        .setNumber(999).build()).build() : m).get(0).contains("was removed"), "renumbered");
        assertTrue(breaks(released, m -> m.getName().equals("FrameScore")
                ? m.toBuilder().addField(FieldDescriptorProto.newBuilder().setName("added").setNumber(900)
                        .setType(FieldDescriptorProto.Type.TYPE_INT32)).build() : m).isEmpty(), "an added field");
        FileDescriptorSet.Builder noValue = SchemaCompatibility.current().toBuilder();
        noValue.getFileBuilderList().forEach(f -> f.getEnumTypeBuilderList().stream()
                .filter(e -> e.getName().equals("FrameAggregation")).forEach(e -> e.removeValue(e.getValueCount() - 1)));
        assertTrue(SchemaCompatibility.breaks(released, noValue.build()).stream()
                .anyMatch(l -> l.contains("FrameAggregation.")), "a removed enum value");
    }

    /** What the current schemas with one change made to their messages break. */
    private static List<String> breaks(FileDescriptorSet released, UnaryOperator<DescriptorProto> change) {
        FileDescriptorSet.Builder changed = SchemaCompatibility.current().toBuilder();
        changed.getFileBuilderList().forEach(f -> {
            for (int i = 0; i < f.getMessageTypeCount(); i++) {
                f.setMessageType(i, change.apply(f.getMessageType(i)));
            }
        });
        return SchemaCompatibility.breaks(released, changed.build());
    }

    private static int field(DescriptorProto m, String name) {
        for (int i = 0; i < m.getFieldCount(); i++) {
            if (m.getField(i).getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static int number(DescriptorProto m, String name) {
        return m.getField(field(m, name)).getNumber();
    }

    private static DescriptorProto reserve(DescriptorProto.Builder m, int number) {
        return m.addReservedRange(DescriptorProto.ReservedRange.newBuilder().setStart(number).setEnd(number + 1)).build();
    }
}

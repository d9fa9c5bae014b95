package io.vigil.proto;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the schemas can still be read by consumers built on the released ones, and read what they write: on the
 * wire a field is its number and its type, so every message, field number and enum value of the released schemas
 * must still be there with the same type and cardinality, or its number reserved. Names may change (the wire does not
 * carry them); new messages, fields and values may be added.
 */
public final class SchemaCompatibility {

    /** The descriptor set of the schemas this jar was built from (also attached to the build, classifier protoset). */
    public static final String RESOURCE = "vigil/v1/vigil-v1.protoset";

    private SchemaCompatibility() {
    }

    /** The schemas of this build. */
    public static FileDescriptorSet current() {
        try (InputStream in = SchemaCompatibility.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path: build the proto module");
            }
            return FileDescriptorSet.parseFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code current} breaks of {@code released}, one line each; empty when compatible. */
    public static List<String> breaks(FileDescriptorSet released, FileDescriptorSet current) {
        Types currentTypes = Types.of(current);
        Types releasedTypes = Types.of(released);
        List<String> out = new ArrayList<>();
        releasedTypes.messages().forEach((name, was) -> {
            DescriptorProto now = currentTypes.messages().get(name);
            if (now == null) {
                out.add("message " + name + " was removed");
                return;
            }
            for (FieldDescriptorProto field : was.getFieldList()) {
                FieldDescriptorProto same = now.getFieldList().stream().filter(f -> f.getNumber() == field.getNumber())
                        .findFirst().orElse(null);
                String where = name + "." + field.getName() + " = " + field.getNumber();
                if (same == null) {
                    if (!reserved(now, field.getNumber())) {
                        out.add(where + " was removed without reserving its number");
                    }
                } else if (same.getType() != field.getType() || !same.getTypeName().equals(field.getTypeName())) {
                    out.add(where + " changed type from " + type(field) + " to " + type(same));
                } else if (same.getLabel() != field.getLabel()
                        && (same.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED
                                || field.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED)) {
                    out.add(where + " changed between repeated and single");
                }
            }
        });
        releasedTypes.enums().forEach((name, was) -> {
            EnumDescriptorProto now = currentTypes.enums().get(name);
            if (now == null) {
                out.add("enum " + name + " was removed");
                return;
            }
            for (EnumValueDescriptorProto value : was.getValueList()) {
                boolean kept = now.getValueList().stream().anyMatch(v -> v.getNumber() == value.getNumber())
                        || now.getReservedRangeList().stream()
                                .anyMatch(r -> value.getNumber() >= r.getStart() && value.getNumber() <= r.getEnd());
                if (!kept) {
                    out.add(name + "." + value.getName() + " = " + value.getNumber() + " was removed without reserving it");
                }
            }
        });
        return out;
    }

    /** A descriptor set's messages and enums by full name, nested ones included. */
    private record Types(Map<String, DescriptorProto> messages, Map<String, EnumDescriptorProto> enums) {
        static Types of(FileDescriptorSet set) {
            Types t = new Types(new LinkedHashMap<>(), new LinkedHashMap<>());
            for (FileDescriptorProto f : set.getFileList()) {
                t.add(f.getPackage().isEmpty() ? "" : f.getPackage() + ".", f.getMessageTypeList(), f.getEnumTypeList());
            }
            return t;
        }

        private void add(String prefix, List<DescriptorProto> messageTypes, List<EnumDescriptorProto> enumTypes) {
            for (EnumDescriptorProto e : enumTypes) {
                enums.put(prefix + e.getName(), e);
            }
            for (DescriptorProto m : messageTypes) {
                messages.put(prefix + m.getName(), m);
                add(prefix + m.getName() + ".", m.getNestedTypeList(), m.getEnumTypeList());
            }
        }
    }

    /** Message ranges are end-exclusive (enum ranges are inclusive). */
    private static boolean reserved(DescriptorProto m, int number) {
        return m.getReservedRangeList().stream().anyMatch(r -> number >= r.getStart() && number < r.getEnd());
    }

    private static String type(FieldDescriptorProto f) {
        return f.getTypeName().isEmpty() ? f.getType().name() : f.getTypeName();
    }
}

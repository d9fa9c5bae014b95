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
        Map<String, DescriptorProto> messages = new LinkedHashMap<>();
        Map<String, EnumDescriptorProto> enums = new LinkedHashMap<>();
        for (FileDescriptorProto f : current.getFileList()) {
            index(prefix(f), f.getMessageTypeList(), f.getEnumTypeList(), messages, enums);
        }
        Map<String, DescriptorProto> releasedMessages = new LinkedHashMap<>();
        Map<String, EnumDescriptorProto> releasedEnums = new LinkedHashMap<>();
        for (FileDescriptorProto f : released.getFileList()) {
            index(prefix(f), f.getMessageTypeList(), f.getEnumTypeList(), releasedMessages, releasedEnums);
        }
        List<String> out = new ArrayList<>();
        releasedMessages.forEach((name, was) -> {
            DescriptorProto now = messages.get(name);
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
        releasedEnums.forEach((name, was) -> {
            EnumDescriptorProto now = enums.get(name);
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

    private static String prefix(FileDescriptorProto f) {
        return f.getPackage().isEmpty() ? "" : f.getPackage() + ".";
    }

    private static void index(String prefix, List<DescriptorProto> messageTypes, List<EnumDescriptorProto> enumTypes,
            Map<String, DescriptorProto> messages, Map<String, EnumDescriptorProto> enums) {
        for (EnumDescriptorProto e : enumTypes) {
            enums.put(prefix + e.getName(), e);
        }
        for (DescriptorProto m : messageTypes) {
            messages.put(prefix + m.getName(), m);
            index(prefix + m.getName() + ".", m.getNestedTypeList(), m.getEnumTypeList(), messages, enums);
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

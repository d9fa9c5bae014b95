package io.vigil.vision.onnx;

import com.google.protobuf.ByteString;
import io.vigil.vision.onnx.proto.AttributeProto;
import io.vigil.vision.onnx.proto.GraphProto;
import io.vigil.vision.onnx.proto.ModelProto;
import io.vigil.vision.onnx.proto.NodeProto;
import io.vigil.vision.onnx.proto.OperatorSetIdProto;
import io.vigil.vision.onnx.proto.StringStringEntryProto;
import io.vigil.vision.onnx.proto.TensorProto;
import io.vigil.vision.onnx.proto.TensorShapeProto;
import io.vigil.vision.onnx.proto.TypeProto;
import io.vigil.vision.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes ONNX models of standard operators: named inputs and outputs (a dimension is a number, or a name for a
 * dynamic one such as the batch), float/int64 initializers, nodes with attributes, and metadata. Used to export
 * trained networks and to build small models with known outputs for tests.
 */
public final class OnnxGraphBuilder {

    /** IR version 8 (ONNX 1.10+), understood by every ONNX Runtime since 1.10. */
    private static final long IR_VERSION = 8;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final int opset;
    private int nodeCounter;

    public OnnxGraphBuilder(String graphName, int opset) {
        this.graph.setName(graphName);
        this.opset = opset;
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    public static AttributeProto stringAttr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    /** A graph input; each dim is a Long/Integer (fixed) or a String (dynamic, e.g. "batch"). */
    public String input(String name, TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
        return name;
    }

    public void output(String name, TensorProto.DataType type, Object... dims) {
        graph.addOutput(valueInfo(name, type, dims));
    }

    public String floatInitializer(String name, float[] data, long... dims) {
        ByteBuffer buf = littleEndian(data.length, 4);
        buf.asFloatBuffer().put(data);
        return initializer(name, TensorProto.DataType.FLOAT, data.length, buf, dims);
    }

    public String longInitializer(String name, long[] data, long... dims) {
        ByteBuffer buf = littleEndian(data.length, 8);
        buf.asLongBuffer().put(data);
        return initializer(name, TensorProto.DataType.INT64, data.length, buf, dims);
    }

    public String intInitializer(String name, int[] data, long... dims) {
        ByteBuffer buf = littleEndian(data.length, 4);
        buf.asIntBuffer().put(data);
        return initializer(name, TensorProto.DataType.INT32, data.length, buf, dims);
    }

    private static ByteBuffer littleEndian(int count, int bytesPerValue) {
        return ByteBuffer.allocate(count * bytesPerValue).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** ONNX raw_data is little-endian, which the views of {@link #littleEndian} write. */
    private String initializer(String name, TensorProto.DataType type, int count, ByteBuffer raw, long... dims) {
        check(name, count, dims);
        graph.addInitializer(tensor(name, type, dims).setRawData(ByteString.copyFrom(raw.array())));
        return name;
    }

    /** Adds a node with one output named after the op; returns that output's name. */
    public String node(String opType, String[] inputs, AttributeProto... attributes) {
        String output = opType.toLowerCase() + "_" + (nodeCounter + 1);
        node(opType, inputs, new String[] {output}, attributes);
        return output;
    }

    /** Adds a node with the given outputs. */
    public void node(String opType, String[] inputs, String[] outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(opType + "_" + (++nodeCounter));
        for (String in : inputs) {
            n.addInput(in);
        }
        for (String out : outputs) {
            n.addOutput(out);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
    }

    public OnnxGraphBuilder metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public ModelProto build() {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("vigil")
                .setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** Writes the model to {@code file} (parent directories are created). */
    public Path write(Path file) {
        return write(build(), file);
    }

    /** Writes {@code model} to {@code file} (parent directories are created). */
    public static Path write(ModelProto model, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, model.toByteArray());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ONNX model " + file, e);
        }
    }

    private static TensorProto.Builder tensor(String name, TensorProto.DataType type, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    private static void check(String name, int length, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException("initializer " + name + " has " + length + " values for shape "
                    + java.util.Arrays.toString(dims));
        }
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Number n) {
                dim.setDimValue(n.longValue());
            } else {
                dim.setDimParam(d.toString());
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }
}

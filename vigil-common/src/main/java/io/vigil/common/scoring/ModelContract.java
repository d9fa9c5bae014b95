package io.vigil.common.scoring;

import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.proto.ModelProto;
import io.vigil.vision.onnx.proto.TensorShapeProto;
import io.vigil.vision.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an SSMTL model file promises its users, kept in its ONNX metadata: the sequences it takes (t and the crop
 * size, which its input shape [N, 3, 2t+1, S, S] must agree with) and where it comes from. The trainer writes it;
 * the sequence-assembler, the scorer and the evaluator read it at start-up and refuse a model that does not fit
 * their settings, instead of dead-lettering every sequence one by one. The calibration tables are kept next to it
 * under {@code vigil.calibration.*} ({@link TaskCalibration}).
 *
 * @param architecture  e.g. {@code shallow-narrow}
 * @param t             frames before and after the detection frame (sequence length 2t+1)
 * @param cropSize      side of each square crop
 * @param distillation  what the distillation head reproduces (detector probabilities, teacher logits)
 * @param detector      the detector and thresholds whose boxes the model was trained on
 * @param trainingData  the normal video it learned from
 * @param epochs        epochs the run was asked for
 * @param epoch         the epoch exported
 * @param createdAt     ISO-8601 instant of the export
 */
public record ModelContract(String architecture, int t, int cropSize, String distillation, String detector,
        String trainingData, int epochs, int epoch, String createdAt) {

    public static final String ARCHITECTURE = "vigil.architecture";
    public static final String T = "vigil.t";
    public static final String CROP_SIZE = "vigil.crop_size";
    public static final String INPUT = "vigil.input";
    public static final String DISTILLATION = "vigil.distillation";
    public static final String DETECTOR = "vigil.detector";
    public static final String TRAINING_DATA = "vigil.training_data";
    public static final String EPOCHS = "vigil.epochs";
    public static final String EPOCH = "vigil.epoch";
    public static final String CREATED_AT = "vigil.created_at";

    /** The graph input every SSMTL model takes. */
    public static final String INPUT_NAME = "sequences";
    /**
     * Its outputs, one per learnt task: the exporter writes them, the optimiser and the parity check compare them, the
     * scorer reads them.
     */
    public static final String ARROW_OF_TIME_OUTPUT = "arrow_of_time";
    public static final String IRREGULARITY_OUTPUT = "irregularity";
    public static final String RECONSTRUCTION_OUTPUT = "reconstruction";
    public static final String DISTILLATION_OUTPUT = "distillation";
    public static final List<String> OUTPUT_NAMES = List.of(ARROW_OF_TIME_OUTPUT, IRREGULARITY_OUTPUT,
            RECONSTRUCTION_OUTPUT, DISTILLATION_OUTPUT);

    public ModelContract {
        if (t < 0 || cropSize < 1) {
            throw new IllegalArgumentException("invalid model contract: t=" + t + ", crop size " + cropSize);
        }
    }

    public int length() {
        return 2 * t + 1;
    }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ARCHITECTURE, architecture);
        m.put(T, Integer.toString(t));
        m.put(CROP_SIZE, Integer.toString(cropSize));
        m.put(INPUT, INPUT_NAME + " [N,3," + length() + "," + cropSize + "," + cropSize + "] RGB/255, channels then time");
        m.put(DISTILLATION, distillation);
        m.put(DETECTOR, detector);
        m.put(TRAINING_DATA, trainingData);
        m.put(EPOCHS, Integer.toString(epochs));
        m.put(EPOCH, Integer.toString(epoch));
        m.put(CREATED_AT, createdAt);
        return m;
    }

    /** The contract in {@code metadata}; a missing or malformed entry is named in the exception. */
    public static ModelContract fromMetadata(Map<String, String> metadata, String model) {
        return new ModelContract(text(metadata, ARCHITECTURE, model), number(metadata, T, model),
                number(metadata, CROP_SIZE, model), metadata.getOrDefault(DISTILLATION, ""),
                metadata.getOrDefault(DETECTOR, ""), metadata.getOrDefault(TRAINING_DATA, ""),
                metadata.containsKey(EPOCHS) ? number(metadata, EPOCHS, model) : 0,
                metadata.containsKey(EPOCH) ? number(metadata, EPOCH, model) : 0, metadata.getOrDefault(CREATED_AT, ""));
    }

    /**
     * Reads the contract of a model file without starting an inference session, and checks it against the graph's
     * own input shape.
     */
    public static ModelContract read(Path model) {
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(Files.readAllBytes(model));
        } catch (IOException e) {
            throw new ModelLoadException("SSMTL model not readable: " + model.toAbsolutePath() + " (" + e.getMessage() + ")", e);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        proto.getMetadataPropsList().forEach(e -> metadata.put(e.getKey(), e.getValue()));
        ModelContract contract = fromMetadata(metadata, model.toString());
        List<Long> dims = proto.getGraph().getInputList().stream().filter(v -> v.getName().equals(INPUT_NAME))
                .findFirst().map(ModelContract::dims).orElseThrow(() -> new ModelLoadException("model " + model
                        + " is not an SSMTL export: it has no input '" + INPUT_NAME + "'"));
        contract.requireInputShape(dims.size() == 5 ? dims.get(2) : -1, dims.size() == 5 ? dims.get(3) : -1, model.toString());
        return contract;
    }

    /** Throws unless the graph's input takes 2t+1 frames of this crop size. */
    public void requireInputShape(long frames, long crop, String model) {
        requireInputShape(toMetadata(), frames, crop, model);
    }

    /**
     * Throws where {@code metadata} names a t or a crop size the graph's input does not take; what it leaves out is
     * not checked (a partial contract, or none, as in exports before it).
     */
    public static void requireInputShape(Map<String, String> metadata, long frames, long crop, String model) {
        boolean framesDiffer = metadata.containsKey(T) && 2L * number(metadata, T, model) + 1 != frames;
        boolean cropDiffers = metadata.containsKey(CROP_SIZE) && number(metadata, CROP_SIZE, model) != crop;
        if (framesDiffer || cropDiffers) {
            throw new ModelLoadException("model " + model + " says " + T + "=" + metadata.get(T) + " and " + CROP_SIZE
                    + "=" + metadata.get(CROP_SIZE) + ", but its input '" + INPUT_NAME + "' takes " + frames
                    + " frames of " + crop + " px: the file is inconsistent; export it again");
        }
    }

    /** Throws, naming both sides and the settings to change, unless sequences of t and this crop size fit. */
    public void requireSequences(int t, int cropSize, String who, String model) {
        if (t != this.t || cropSize != this.cropSize) {
            throw new ModelLoadException(who + " cuts sequences with t=" + t + " and " + cropSize + " px crops, but model "
                    + model + " takes t=" + this.t + " and " + this.cropSize + " px crops (its " + T + ", " + CROP_SIZE
                    + "): configure t=" + this.t + " and crop size " + this.cropSize + ", or use a model trained for yours");
        }
    }

    private static List<Long> dims(ValueInfoProto v) {
        return v.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.getValueCase() == TensorShapeProto.Dimension.ValueCase.DIM_VALUE ? d.getDimValue() : -1L).toList();
    }

    private static String text(Map<String, String> metadata, String key, String model) {
        String v = metadata.get(key);
        if (v == null || v.isBlank()) {
            throw new ModelLoadException("model " + model + " has no " + key + " in its metadata: not an export of "
                    + "model-trainer, or an old one; export it again");
        }
        return v;
    }

    private static int number(Map<String, String> metadata, String key, String model) {
        String v = text(metadata, key, model);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ModelLoadException("model " + model + " has " + key + "=" + v + " in its metadata, not a number");
        }
    }
}

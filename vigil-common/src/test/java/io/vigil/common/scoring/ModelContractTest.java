package io.vigil.common.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model's promise about its sequences: written once, read without a session, refused where it does not fit. */
class ModelContractTest {

    @TempDir
    Path temp;

    static final ModelContract CONTRACT = new ModelContract("shallow-narrow", 3, 64, "80 detector class probabilities",
            "yolox:yolox_nano.onnx", "ped2 training", 6, 5, "2026-12-02T10:00:00Z");

    @Test
    void metadataRoundTripsAndAFileIsReadWithoutASession() {
        assertEquals(CONTRACT, ModelContract.fromMetadata(CONTRACT.toMetadata(), "m"));
        assertEquals("sequences [N,3,7,64,64] RGB/255, channels then time", CONTRACT.toMetadata().get(ModelContract.INPUT));
        Path file = TinySsmtlModel.write(temp.resolve("m.onnx"), 7, 64, 0.1f, 0.1f, CONTRACT.toMetadata());
        assertEquals(CONTRACT, ModelContract.read(file));
    }

    @Test
    void theShippedModelCarriesIts() {
        Path shipped = Path.of("../models/ssmtl-ped2-shallow-narrow.onnx");
        if (Files.isRegularFile(shipped)) {
            ModelContract c = ModelContract.read(shipped);
            assertEquals(3, c.t());
            assertEquals(64, c.cropSize());
        }
    }

    @Test
    void aMissingOrMalformedEntryIsNamed() {
        Map<String, String> m = new HashMap<>(CONTRACT.toMetadata());
        m.remove(ModelContract.T);
        assertTrue(assertThrows(ModelLoadException.class, () -> ModelContract.fromMetadata(m, "old.onnx")).getMessage()
                .contains("old.onnx has no vigil.t"));
        m.put(ModelContract.T, "three");
        assertTrue(assertThrows(ModelLoadException.class, () -> ModelContract.fromMetadata(m, "old.onnx")).getMessage()
                .contains("vigil.t=three"));
    }

    @Test
    void aFileWhoseMetadataContradictsItsInputIsRefusedByReaderAndScorer() throws Exception {
        Map<String, String> wrong = new HashMap<>(CONTRACT.toMetadata());
        wrong.put(ModelContract.T, "2"); // says 5 frames; the graph takes 7
        Path file = TinySsmtlModel.write(temp.resolve("wrong.onnx"), 7, 64, 0.1f, 0.1f, wrong);
        String message = assertThrows(ModelLoadException.class, () -> ModelContract.read(file)).getMessage();
        assertTrue(message.contains("takes 7 frames of 64 px"), message);
        try (OnnxModel model = OnnxSessionFactory.open(file, OnnxSessionFactory.Options.cpu(1))) {
            assertTrue(assertThrows(ModelLoadException.class, () -> new SsmtlScorer(model,
                    EnumSet.allOf(SsmtlScorer.Task.class), TaskCalibration.Mode.NONE)).getMessage().contains("inconsistent"));
        }
    }

    @Test
    void sequencesThatDoNotFitNameBothSidesAndTheFix() {
        CONTRACT.requireSequences(3, 64, "the assembler", "m.onnx");
        String message = assertThrows(ModelLoadException.class,
                () -> CONTRACT.requireSequences(2, 64, "the assembler", "m.onnx")).getMessage();
        assertEquals("the assembler cuts sequences with t=2 and 64 px crops, but model m.onnx takes t=3 and 64 px crops "
                + "(its vigil.t, vigil.crop_size): configure t=3 and crop size 64, or use a model trained for yours", message);
    }
}

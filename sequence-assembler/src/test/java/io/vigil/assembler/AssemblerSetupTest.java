package io.vigil.assembler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.scoring.ModelContract;
import io.vigil.common.sequence.SequenceSettings;
import io.vigil.vision.onnx.ModelLoadException;
import io.vigil.vision.onnx.OnnxGraphBuilder;
import io.vigil.vision.onnx.proto.TensorProto.DataType;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembler refuses to start when the model it feeds takes other sequences than it cuts. */
class AssemblerSetupTest {

    @TempDir
    Path temp;

    private Path model(int t) {
        int frames = 2 * t + 1;
        OnnxGraphBuilder g = new OnnxGraphBuilder("m", 13);
        g.input(ModelContract.INPUT_NAME, DataType.FLOAT, "batch", 3, frames, 64, 64);
        g.node("Identity", new String[] {ModelContract.INPUT_NAME}, new String[] {"out"});
        g.output("out", DataType.FLOAT, "batch", 3, frames, 64, 64);
        new ModelContract("shallow-narrow", t, 64, "", "", "", 1, 1, "").toMetadata().forEach(g::metadata);
        return g.write(temp.resolve("t" + t + ".onnx"));
    }

    @Test
    void startsWhenTheModelTakesItsSequencesOrNoModelIsNamed() {
        SequenceSettings defaults = SequenceSettings.paper();
        assertEquals(defaults, AssemblerSetup.checked(defaults, Optional.of(model(3))));
        assertEquals(defaults.withT(2), AssemblerSetup.checked(defaults.withT(2), Optional.empty()));
    }

    @Test
    void refusesAModelTrainedForOtherSequences() {
        Path m = model(2);
        String message = assertThrows(ModelLoadException.class,
                () -> AssemblerSetup.checked(SequenceSettings.paper(), Optional.of(m))).getMessage();
        assertTrue(message.startsWith("the sequence-assembler (vigil.assembler.t, vigil.assembler.crop-size) cuts sequences "
                + "with t=3 and 64 px crops, but model " + m + " takes t=2"), message);
    }
}

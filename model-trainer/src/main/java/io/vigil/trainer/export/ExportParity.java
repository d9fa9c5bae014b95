package io.vigil.trainer.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vigil.common.scoring.ModelContract;
import io.vigil.trainer.network.NumericGuard;
import io.vigil.trainer.network.SsmtlNetwork;
import io.vigil.vision.onnx.OnnxModel;
import io.vigil.vision.onnx.OnnxSessionFactory;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** After every export: the DJL network and ONNX Runtime must agree on the same batch (max abs diff below 1e-4). */
public final class ExportParity {

    public static final float TOLERANCE = 1e-4f;

    private ExportParity() {
    }

    /**
     * The largest absolute difference over the four outputs; throws when it exceeds {@link #TOLERANCE}, and names the
     * side (DJL or ONNX Runtime), the output and, for DJL, the layer when an output is not finite.
     */
    public static float check(SsmtlNetwork net, Path onnx, float[] batch, int n) {
        int t = net.frames();
        Shape shape = new Shape(n, 3, t, SsmtlNetwork.CROP, SsmtlNetwork.CROP);
        String[] names = ModelContract.OUTPUT_NAMES.toArray(String[]::new);
        float[][] djl = new float[4][];
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray input = m.create(batch, shape);
            NDList out = net.forward(ps, new NDList(input), false);
            djl[0] = out.get(0).softmax(1).toFloatArray();
            djl[1] = out.get(1).softmax(1).toFloatArray();
            djl[2] = out.get(2).toFloatArray();
            djl[3] = out.get(3).toFloatArray();
            for (int k = 0; k < 4; k++) {
                if (NumericGuard.nonFinite(djl[k]) > 0) {
                    throw new NumericGuard.NonFiniteException("export parity: DJL output " + names[k] + " has "
                            + NumericGuard.nonFinite(djl[k]) + " NaN or infinite values; first in "
                            + net.firstNonFiniteLayer(ps, input, false).orElse("no layer on a re-run (non-deterministic)"));
                }
            }
        }
        float worst = 0;
        try (OnnxModel model = OnnxSessionFactory.open(onnx, OnnxSessionFactory.Options.cpu(0));
                OnnxTensor in = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(batch),
                        shape.getShape());
                OrtSession.Result r = model.session().run(Map.of(ModelContract.INPUT_NAME, in))) {
            for (int k = 0; k < 4; k++) {
                FloatBuffer buffer = ((OnnxTensor) r.get(names[k]).orElseThrow()).getFloatBuffer();
                float[] ort = new float[buffer.remaining()];
                buffer.get(ort);
                if (ort.length != djl[k].length) {
                    throw new IllegalStateException("export parity: " + names[k] + " has " + ort.length
                            + " values in ONNX Runtime, " + djl[k].length + " in DJL");
                }
                NumericGuard.requireFinite(ort, "export parity: ONNX Runtime output " + names[k] + " of " + onnx);
                for (int i = 0; i < ort.length; i++) {
                    worst = Math.max(worst, Math.abs(ort[i] - djl[k][i]));
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("export parity: ONNX Runtime cannot run " + onnx + ": " + e.getMessage(), e);
        }
        if (!(worst < TOLERANCE)) {
            throw new IllegalStateException("export parity failed for " + onnx + ": max abs diff " + worst + " >= " + TOLERANCE);
        }
        return worst;
    }
}

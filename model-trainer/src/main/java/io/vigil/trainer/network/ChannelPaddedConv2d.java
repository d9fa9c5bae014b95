package io.vigil.trainer.network;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 3x3 2D convolution (same padding) that computes with its filters padded by zero filters to a multiple of 16
 * and drops the extra outputs.
 *
 * <p>Why: oneDNN's AVX-512 kernels (PyTorch 2.7.1 ships oneDNN 3.7.1) keep channels in blocks of 16, so 3 output
 * channels leave 13 channels of padding in the blocked weights and output gradient. The backward pass multiplies
 * that padding by zero, and where the memory under it was never written and holds a NaN bit pattern, NaN × 0 makes
 * whole channels of the input gradient NaN: the decoder's last layer did this at the first training step on a fresh
 * AMD EPYC (family 26) machine, and not on another of the same kind, whose memory held other bits. Where it holds
 * finite garbage instead, the input gradient is silently wrong (off by up to 3.3 against a float64 reference).
 * With 16 real filters there is no padding to read. The parameters keep their shape ([filters, C, 3, 3]), so
 * checkpoints and the ONNX export do not change.
 */
final class ChannelPaddedConv2d extends Conv2d {

    static final int BLOCK = 16;

    ChannelPaddedConv2d(int filters) {
        super(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Device device = x.getDevice();
        NDArray w = ps.getValue(weight, device, training);
        NDArray b = ps.getValue(bias, device, training);
        int padded = (filters + BLOCK - 1) / BLOCK * BLOCK;
        if (padded == filters) {
            return Conv2d.conv2d(x, w, b, stride, padding, dilation, groups);
        }
        NDManager m = x.getManager();
        Shape s = w.getShape();
        NDArray wide = w.concat(m.zeros(new Shape(padded - filters, s.get(1), s.get(2), s.get(3)), w.getDataType(), device), 0);
        NDArray wideBias = b.concat(m.zeros(new Shape(padded - filters), b.getDataType(), device), 0);
        NDArray y = Conv2d.conv2d(x, wide, wideBias, stride, padding, dilation, groups).singletonOrThrow();
        return new NDList(y.get(":, 0:" + filters));
    }
}

"""The SSMTL network in PyTorch eager, with the weights of a Vigil ONNX export, timed on the same input tensors as
ScorerBench.

The module mirrors model-trainer's SsmtlNetwork (and so the ONNX graph OnnxExporter writes): a 3D-conv encoder
(conv 3x3x3 + batch norm + ReLU, max pooling after every `per_stage` convs: 2x2x2 while at least 2 frames are left,
then 1x2x2, as in the paper; max over the remaining time), three class heads
(conv 3x3, ReLU, 2x2 max pool, linear; softmax on arrow of time and irregularity) and a decoder (nearest x2
upsampling + conv 3x3 + ReLU per encoder conv, conv to 3 channels, sigmoid) that predicts the middle crop from the
sequence with its middle frame zeroed. Before timing, its outputs are checked against onnxruntime on the export:
same weights, same network.

Prints one JSON object: {"torch": version, "max_abs_diff": d, "results": [{"batch": b, "sps": s}, ...]}.
"""
import argparse
import json
import re
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from torch import nn


class Ssmtl(nn.Module):
    def __init__(self, filters, per_stage, frames, distill_outputs, crop=64):
        super().__init__()
        layers, channels, t = [], 3, frames
        for i, f in enumerate(filters):
            layers += [nn.Conv3d(channels, f, 3, padding=1), nn.BatchNorm3d(f, eps=1e-5), nn.ReLU()]
            if (i + 1) % per_stage == 0:
                k = 2 if t >= 2 else 1  # Architecture.temporalPooling: 7 -> 3 -> 1 frames
                layers.append(nn.MaxPool3d((k, 2, 2), (k, 2, 2)))
                t //= k
            channels = f
        self.encoder = nn.Sequential(*layers)
        features, side = filters[-1], crop // 8

        def head(outputs):
            return nn.Sequential(nn.Conv2d(features, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                                 nn.Linear(32 * (side // 2) ** 2, outputs))

        # Registration order = the order OnnxExporter numbers the blocks (encoder, heads, decoder).
        self.arrow_of_time = head(2)
        self.irregularity = head(2)
        self.distillation = head(distill_outputs)
        decoder, channels = [], features
        for i in range(len(filters)):
            if i % per_stage == 0:
                decoder.append(nn.Upsample(scale_factor=2, mode="nearest"))
            f = filters[len(filters) - 1 - i]
            decoder += [nn.Conv2d(channels, f, 3, padding=1), nn.ReLU()]
            channels = f
        decoder += [nn.Conv2d(channels, 3, 3, padding=1), nn.Sigmoid()]
        self.decoder = nn.Sequential(*decoder)
        mask = torch.ones(1, 1, frames, 1, 1)
        mask[:, :, frames // 2] = 0
        self.register_buffer("middle_frame_mask", mask)

    def forward(self, x):
        f = self.encoder(x).amax(dim=2)
        masked = self.encoder(x * self.middle_frame_mask).amax(dim=2)
        return (torch.softmax(self.arrow_of_time(f), dim=1), torch.softmax(self.irregularity(f), dim=1),
                self.decoder(masked), self.distillation(f))

    def load_onnx_weights(self, path):
        """Copies the export's initializers (b<N>_<Block>_<param>, numbered in first-use order) into the layers."""
        blocks = {}
        for init in onnx.load(path).graph.initializer:
            m = re.match(r"b(\d+)_(\w+?)_(\w+)$", init.name)
            if m:
                blocks.setdefault(int(m.group(1)), {})[m.group(3)] = torch.from_numpy(numpy_helper.to_array(init).copy())
        layers = [l for l in self.modules() if isinstance(l, (nn.Conv3d, nn.Conv2d, nn.BatchNorm3d, nn.Linear))]
        if len(layers) != len(blocks):
            raise ValueError(f"export has {len(blocks)} weighted blocks, the module {len(layers)}")
        with torch.no_grad():
            for layer, n in zip(layers, sorted(blocks)):
                p = blocks[n]
                if isinstance(layer, nn.BatchNorm3d):
                    layer.weight.copy_(p["gamma"])
                    layer.bias.copy_(p["beta"])
                    layer.running_mean.copy_(p["runningMean"])
                    layer.running_var.copy_(p["runningVar"])
                else:
                    layer.weight.copy_(p["weight"])
                    layer.bias.copy_(p["bias"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True, help="raw float32 file of N x 3 x T x 64 x 64")
    p.add_argument("--filters", required=True, help="comma-separated encoder filters")
    p.add_argument("--per-stage", type=int, required=True)
    p.add_argument("--frames", type=int, default=7)
    p.add_argument("--distill", type=int, required=True)
    p.add_argument("--batches", default="1,32")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    net = Ssmtl([int(f) for f in a.filters.split(",")], a.per_stage, a.frames, a.distill).eval()
    net.load_onnx_weights(a.model)
    data = np.fromfile(a.input, dtype=np.float32).reshape(-1, 3, a.frames, 64, 64)

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = a.threads
    session = ort.InferenceSession(a.model, opts, providers=["CPUExecutionProvider"])
    probe = data[:4]
    reference = session.run(["arrow_of_time", "irregularity", "reconstruction", "distillation"], {"sequences": probe})
    with torch.inference_mode():
        ours = [t.numpy() for t in net(torch.from_numpy(probe))]
    diff = max(float(np.max(np.abs(r - o))) for r, o in zip(reference, ours))
    if diff > 1e-3:
        raise SystemExit(f"PyTorch module differs from the ONNX export by {diff}")

    results = []
    with torch.inference_mode():
        for batch in [int(b) for b in a.batches.split(",")]:
            n = (len(data) // batch) * batch
            chunks = [torch.from_numpy(data[i:i + batch]) for i in range(0, n, batch)]
            net(chunks[0])  # warm-up
            best = 0.0
            for _ in range(a.rounds):
                start = time.perf_counter()
                for c in chunks:
                    net(c)
                best = max(best, n / (time.perf_counter() - start))
            results.append({"batch": batch, "sps": best})
    print(json.dumps({"torch": torch.__version__, "max_abs_diff": diff, "results": results}))


if __name__ == "__main__":
    main()

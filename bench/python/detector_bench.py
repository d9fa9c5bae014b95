"""Times ONNX Runtime (Python) on the same model and the same preprocessed input tensors as DetectorBench.

Prints one JSON object: {"onnxruntime": version, "results": [{"batch": b, "fps": f}, ...]}.
"""
import argparse
import json
import time

import numpy as np
import onnxruntime as ort


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True, help="raw float32 file of N x 3 x S x S")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--batches", default="1,8")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = a.threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(a.model, opts, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    frames = np.fromfile(a.input, dtype=np.float32).reshape(-1, 3, a.size, a.size)

    results = []
    for batch in [int(b) for b in a.batches.split(",")]:
        n = (len(frames) // batch) * batch
        chunks = [frames[i:i + batch] for i in range(0, n, batch)]
        session.run(None, {name: chunks[0]})  # warm-up
        best = 0.0
        for _ in range(a.rounds):
            start = time.perf_counter()
            for c in chunks:
                session.run(None, {name: c})
            best = max(best, n / (time.perf_counter() - start))
        results.append({"batch": batch, "fps": best})
    print(json.dumps({"onnxruntime": ort.__version__, "results": results}))


if __name__ == "__main__":
    main()

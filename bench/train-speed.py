"""PyTorch peer of bench/train-speed.ts: the same training step (dense layers, bias or batch norm,
GELU, dropout 0.2, Pearson loss, Adam) on the same shapes, timed for about --seconds per net and
thread count. Prints one JSON object per line: net label, threads, GFLOP/s per wall and CPU second.
Run by /usr/bin/python3 (Debian's python3-torch); exits 3 when torch cannot be imported."""
import argparse
import json
import sys
import time

try:
    import torch
except ImportError as e:
    print(json.dumps({"error": f"torch not importable: {e}"}))
    sys.exit(3)


def flops_per_row(widths):
    return 6 * sum(widths[i] * widths[i + 1] for i in range(len(widths) - 1))


def build(widths, batch_norm, dropout):
    layers = []
    for i in range(len(widths) - 1):
        hidden = i < len(widths) - 2
        layers.append(torch.nn.Linear(widths[i], widths[i + 1], bias=not (hidden and batch_norm)))
        if hidden:
            if batch_norm:
                layers.append(torch.nn.BatchNorm1d(widths[i + 1], eps=1e-3, momentum=0.1))
            layers.append(torch.nn.GELU())
            if dropout > 0:
                layers.append(torch.nn.Dropout(dropout))
    return torch.nn.Sequential(*layers)


def gflops(net, threads, seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(net["widths"], net["batchNorm"], net["dropout"])
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    x = torch.rand(net["batch"], net["widths"][0])
    y = torch.rand(net["batch"], 1)

    def step():
        opt.zero_grad(set_to_none=True)
        h = model(x)
        dp, dy = h - h.mean(), y - y.mean()
        loss = 1 - (dp * dy).sum() / ((dp * dp).sum() * (dy * dy).sum()).sqrt().add(1e-12)
        loss.backward()
        opt.step()

    step()
    steps = 0
    c0, t0 = time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < seconds or steps < 2:
        step()
        steps += 1
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    flops = steps * net["batch"] * flops_per_row(net["widths"])
    return {"label": net["label"], "threads": threads, "wall": flops / wall / 1e9, "cpu": flops / cpu / 1e9, "steps": steps}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nets", required=True, help="JSON list of {label, widths, batch, batchNorm, dropout}")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    for net in json.loads(args.nets):
        for threads in [int(t) for t in args.threads.split(",")]:
            print(json.dumps(gflops(net, threads, args.seconds)), flush=True)


if __name__ == "__main__":
    main()

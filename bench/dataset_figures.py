"""Print the course's logistic-regression figures for the bundled cat files and, if present, the originals.

Model: flattened pixels / 255, zero initialisation, batch gradient descent on the mean cross-entropy,
prediction = sigmoid > 0.5. Usage: ``python bench/dataset_figures.py [--bundled DIR] [--original DIR]``.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lr_utils import load_dataset  # noqa: E402

ORIGINAL_DIR = ROOT.parent / "shared" / "datasets" / "catvnoncat"
RUNS = [(0.005, 2000), (0.01, 1500), (0.001, 1500), (0.0001, 1500)]


def prepare(data_dir):
    """Flattened, scaled train and test matrices (features, m) and label rows (1, m)."""
    train_x, train_y, test_x, test_y, _ = load_dataset(data_dir)
    flat = [x.reshape(x.shape[0], -1).T / 255.0 for x in (train_x, test_x)]
    return flat[0], train_y, flat[1], test_y


def train(x, y, learning_rate, iterations):
    """Weights, bias and the cost recorded every 100 iterations (before that iteration's update)."""
    w, b, costs = np.zeros((x.shape[0], 1)), 0.0, []
    for i in range(iterations):
        a = 1 / (1 + np.exp(-(w.T @ x + b)))
        if i % 100 == 0:
            costs.append(float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))))
        dz = a - y
        w -= learning_rate * (x @ dz.T) / x.shape[1]
        b -= learning_rate * float(np.mean(dz))
    return w, b, costs


def accuracy(w, b, x, y):
    """Percentage of images whose prediction (probability > 0.5) matches the label."""
    predictions = (1 / (1 + np.exp(-(w.T @ x + b))) > 0.5).astype(float)
    return 100 - float(np.mean(np.abs(predictions - y))) * 100


def report(name, data_dir):
    train_x, train_y, test_x, test_y = prepare(data_dir)
    print(f"## {name}: {data_dir}")
    print(
        f"train {train_x.shape[1]} images ({int(train_y.sum())} cats), "
        f"test {test_x.shape[1]} images ({int(test_y.sum())} cats)"
    )
    for learning_rate, iterations in RUNS:
        w, b, costs = train(train_x, train_y, learning_rate, iterations)
        marks = sorted({*range(0, len(costs), 5), len(costs) - 1})
        curve = ", ".join(f"{100 * k}: {costs[k]:.3f}" for k in marks)
        print(
            f"lr {learning_rate:<7} {iterations} it: train {accuracy(w, b, train_x, train_y)} %, "
            f"test {accuracy(w, b, test_x, test_y)} %, cost at iteration {curve}"
        )
        if learning_rate == 0.005:
            print(f"  cost at iteration 0: {costs[0]:.6f}, at iteration 1900: {costs[19]:.6f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled", default=ROOT / "datasets", type=Path)
    parser.add_argument("--original", default=ORIGINAL_DIR, type=Path)
    args = parser.parse_args()
    report("bundled", args.bundled)
    if (args.original / "train_catvnoncat.h5").is_file():
        report("original", args.original)
    else:
        print(f"## original: not found at {args.original}, skipped")


if __name__ == "__main__":
    main()

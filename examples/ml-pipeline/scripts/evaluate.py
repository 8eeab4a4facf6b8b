"""Score the trained model(s) on the held-out rows and write reports/metrics.json.

    python scripts/evaluate.py [--threshold 0.90] [--models models/] [--best-out DIR]

--models is either one model (DIR/model.npz, as the seed workflow's
download leaves it) or several, one per subdirectory (DIR/*/model.npz, as
download-artifact with `pattern:` and `merge-multiple: false` leaves them).
The best is the one with the highest accuracy, then the lowest loss; its
scores go to reports/metrics.json, numbers only, for `mlci gate`:

    {"accuracy": .., "loss": .., "f1": .., "precision": .., "recall": ..,
     "eval": {"accuracy": .., "loss": .., "f1": .., "rows": ..},
     "train": {"accuracy": .., "loss": ..},
     "hyperparameters": {"learning_rate": .., "epochs": .., "l2": ..}}

and every candidate's scores, names and metadata to reports/evaluation.json.
--best-out copies the best model's files into DIR.

Exit codes: 0 evaluated (and at or above --threshold when given); 1 the
accuracy is below --threshold ("fails the job"), or no model, or bad data;
2 bad usage. MLCI_EXAMPLE_FAIL_EVALUATE=1 fails on purpose after writing
the reports, to try `mlci rerun --failed`.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from model import (  # noqa: E402
    ConfigError,
    DataError,
    LogisticRegression,
    ModelError,
    classification_metrics,
    holdout_mask,
    load_arrays,
    load_data_config,
)
from model.logistic import METADATA_FILE, MODEL_FILE  # noqa: E402

FAIL_ENV = "MLCI_EXAMPLE_FAIL_EVALUATE"


def main():
    parser = argparse.ArgumentParser(description="Evaluate the trained model(s) on the held-out rows.")
    parser.add_argument("--threshold", type=float, help="fail (exit 1) when the best accuracy is below this")
    parser.add_argument("--models", default="models", help="a model directory, or a directory of them")
    parser.add_argument("--data-config", default="data/config.yaml", help="data settings (default: data/config.yaml)")
    parser.add_argument("--metrics", default="reports/metrics.json", help="where the metrics go")
    parser.add_argument("--best-out", help="copy the best model's files into this directory")
    args = parser.parse_args()
    if args.threshold is not None and not 0 <= args.threshold <= 1:
        parser.error(f"--threshold is an accuracy between 0 and 1, not {args.threshold}")

    candidates = find_models(Path(args.models))
    if not candidates:
        return fail(
            f"no model in {args.models}/: expected {args.models}/{MODEL_FILE} "
            f"or {args.models}/*/{MODEL_FILE} (did the model artifact download?)"
        )
    try:
        data = load_data_config(args.data_config)
        results = [score(name, directory, data) for name, directory in candidates]
    except (ConfigError, DataError, ModelError) as e:
        return fail(str(e))

    results.sort(key=lambda r: (-r["eval"]["accuracy"], r["eval"]["loss"], r["name"]))
    best = results[0]
    print_table(results)
    write_reports(best, results, Path(args.metrics))
    if args.best_out:
        copy_model(best["directory"], Path(args.best_out))

    scores = best["eval"]
    print(
        f"best: {best['name']} (lr={best['hyperparameters'].get('learning_rate')}): accuracy {scores['accuracy']:.4f}, "
        f"loss {scores['loss']:.4f}, f1 {scores['f1']:.4f} on {scores['rows']} held-out rows"
    )
    print(f"model {best['directory']}/{MODEL_FILE}: sha256 {best['sha256']}, trained at {best['trained_at']}")
    print(f"wrote {args.metrics}")
    append_summary(results, best)

    if args.threshold is not None and scores["accuracy"] < args.threshold:
        return fail(f"accuracy {scores['accuracy']:.4f} is below the threshold {args.threshold:.2f}")
    if os.environ.get(FAIL_ENV, "") not in ("", "0"):
        return fail(f"failing on purpose ({FAIL_ENV}={os.environ[FAIL_ENV]})")
    return 0


def find_models(root):
    """(name, directory) of each model under `root`: root itself, or its subdirectories."""
    if (root / MODEL_FILE).is_file():
        return [(root.name or str(root), root)]
    if not root.is_dir():
        return []
    return [(d.name, d) for d in sorted(root.iterdir()) if (d / MODEL_FILE).is_file()]


def score(name, directory, data):
    model, metadata = LogisticRegression.load(directory)
    X, y = load_arrays(data, model.features)
    held_out = holdout_mask(len(y), data.holdout_every)
    scores = classification_metrics(model, X[held_out], y[held_out])
    with open(directory / MODEL_FILE, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {
        "name": name,
        "directory": str(directory),
        "eval": scores,
        "train": metadata.get("train", {}),
        "hyperparameters": metadata.get("hyperparameters", {}),
        "variant": metadata.get("variant"),
        "features": model.features,
        "trained_at": metadata.get("trained_at"),
        "sha256": digest,
    }


def write_reports(best, results, metrics_path):
    """metrics.json: the best model's numbers only; evaluation.json beside it: everything."""
    scores = {key: round(value, 6) for key, value in best["eval"].items()}
    metrics = {
        "accuracy": scores["accuracy"],
        "loss": scores["loss"],
        "f1": scores["f1"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "eval": {key: scores[key] for key in ("accuracy", "loss", "f1", "rows")},
        "train": {key: best["train"][key] for key in ("accuracy", "loss") if key in best["train"]},
        "hyperparameters": {k: v for k, v in best["hyperparameters"].items() if isinstance(v, (int, float))},
    }
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    with open(metrics_path, "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    with open(metrics_path.parent / "evaluation.json", "w", encoding="utf-8") as f:
        json.dump({"best": best["name"], "candidates": results}, f, indent=2)
        f.write("\n")


def copy_model(source, target):
    target.mkdir(parents=True, exist_ok=True)
    for file in (MODEL_FILE, METADATA_FILE):
        shutil.copyfile(Path(source) / file, target / file)
    print(f"copied the best model to {target}/")


def print_table(results):
    print(f"{'model':<20} {'lr':>8} {'accuracy':>9} {'loss':>8} {'f1':>8}")
    for r in results:
        s = r["eval"]
        lr = r["hyperparameters"].get("learning_rate", "")
        print(f"{r['name']:<20} {lr:>8} {s['accuracy']:>9.4f} {s['loss']:>8.4f} {s['f1']:>8.4f}")


def append_summary(results, best):
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    with open(summary, "a", encoding="utf-8") as f:
        f.write("| model | lr | accuracy | loss | f1 |\n| --- | --- | --- | --- | --- |\n")
        for r in results:
            s = r["eval"]
            mark = " (best)" if r is best else ""
            lr = r["hyperparameters"].get("learning_rate", "")
            f.write(f"| {r['name']}{mark} | {lr} | {s['accuracy']:.4f} | {s['loss']:.4f} | {s['f1']:.4f} |\n")


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

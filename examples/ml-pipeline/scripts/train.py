"""Train the pump-failure model and save it to models/ (model.npz + model.json).

    python scripts/train.py --config config/prod.yaml [--lr X] [--epochs N] [--out DIR]

Trains on every row that is not held out (see holdout_every in
data/config.yaml), from zero weights, so the same data and settings give
the same model every time.

MLCI_EXAMPLE_BAD_MODEL makes a worse model on purpose, the same way every
time, so the quality gate can be seen failing:

    MLCI_EXAMPLE_BAD_MODEL=1      trains on age_days alone: accuracy ~0.65,
                                  below the gate's 0.90
    MLCI_EXAMPLE_BAD_MODEL=drift  a labelling bug: every 9th failure in the
                                  training rows is recorded as "no failure";
                                  accuracy ~0.93, above 0.90 but ~0.03 below
                                  the good model, more than the gate's
                                  max-drop of 0.02

Exit codes: 0 trained, 1 the data or a config file is wrong, 2 bad usage.
"""

import argparse
import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from model import (  # noqa: E402
    ConfigError,
    DataError,
    LogisticRegression,
    classification_metrics,
    holdout_mask,
    load_arrays,
    load_config,
    load_data_config,
)
from model.config import require  # noqa: E402
from model.data import display, resolve, sha256  # noqa: E402

BAD_MODEL_ENV = "MLCI_EXAMPLE_BAD_MODEL"
BAD_MODEL_ONLY = ["age_days"]
DRIFT_MISSED_FAILURES = 9  # every 9th failure is mislabelled


def main():
    parser = argparse.ArgumentParser(description="Train the pump-failure model.")
    parser.add_argument("--config", default="config/prod.yaml", help="hyperparameters (default: config/prod.yaml)")
    parser.add_argument("--lr", type=float, help="learning rate (default: learning_rate in the config)")
    parser.add_argument("--epochs", type=int, help="epochs (default: epochs in the config)")
    parser.add_argument("--out", help="directory for model.npz and model.json (default: out in the config)")
    args = parser.parse_args()

    try:
        config = load_config(args.config)
        data = load_data_config(resolve(require(config, "data_config", str, args.config)))
        lr = args.lr if args.lr is not None else require(config, "learning_rate", float, args.config)
        epochs = args.epochs if args.epochs is not None else require(config, "epochs", int, args.config)
        l2 = require(config, "l2", float, args.config) if config.get("l2") is not None else 0.0
        out = Path(args.out or require(config, "out", str, args.config))
    except ConfigError as e:
        return fail(str(e))
    if lr <= 0 or epochs < 1:
        parser.error(f"the learning rate must be above 0 and epochs at least 1 (got lr={lr}, epochs={epochs})")

    variant = os.environ.get(BAD_MODEL_ENV, "").strip().lower()
    features, variant = choose_features(data.features, variant)
    if features is None:
        parser.error(f"{BAD_MODEL_ENV}={variant!r}: use 1 (a poor model) or drift (a slightly worse one)")

    try:
        X, y = load_arrays(data, features)
    except DataError as e:
        return fail(str(e))
    train = ~holdout_mask(len(y), data.holdout_every)
    X, y = X[train], y[train]
    if variant == "drift":
        y = y.copy()
        y[(y == 1).nonzero()[0][::DRIFT_MISSED_FAILURES]] = 0
    print(f"training on {len(y)} of {len(train)} rows of {display(data.path)}: lr={lr} epochs={epochs} l2={l2}")
    if variant != "good":
        how = f"features {', '.join(features)}"
        if variant == "drift":
            how = f"every {DRIFT_MISSED_FAILURES}th failure labelled 0"
        print(f"{BAD_MODEL_ENV}={os.environ[BAD_MODEL_ENV]}: a {variant} model on purpose ({how})")

    model = LogisticRegression(features)
    every = max(1, epochs // 10)

    def report(epoch, loss):
        if epoch % every == 0 or epoch == epochs:
            print(f"epoch {epoch:>5}: loss {loss:.4f}")

    model.fit(X, y, learning_rate=lr, epochs=epochs, l2=l2, on_epoch=report)
    scores = classification_metrics(model, X, y)
    metadata = {
        "model": "logistic-regression",
        "variant": variant,
        "label": data.label,
        "hyperparameters": {"learning_rate": lr, "epochs": epochs, "l2": l2},
        "train": {key: round(value, 6) for key, value in scores.items()},
        "dataset": {"path": display(data.path), "sha256": sha256(data.path), "holdout_every": data.holdout_every},
        "trained_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "github": {key: os.environ.get(f"GITHUB_{key.upper()}") for key in ("sha", "ref", "run_id", "job")},
    }
    npz, meta = model.save(out, metadata)
    print(f"train accuracy {scores['accuracy']:.4f}, loss {scores['loss']:.4f}, f1 {scores['f1']:.4f}")
    print(f"saved {npz} and {meta}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(f"Trained with lr={lr}, epochs={epochs}: train accuracy {scores['accuracy']:.4f}, ")
            f.write(f"loss {scores['loss']:.4f} ({variant} model)\n")
    return 0


def choose_features(features, variant):
    """The features to train on for the MLCI_EXAMPLE_BAD_MODEL value, and the variant's name."""
    if variant in ("", "0", "false", "no"):
        return features, "good"
    if variant in ("1", "true", "yes", "bad"):
        return [f for f in features if f in BAD_MODEL_ONLY], "bad"
    if variant == "drift":
        return features, "drift"
    return None, variant


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

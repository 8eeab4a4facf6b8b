"""Logistic regression in numpy: full-batch gradient descent on standardised features."""

import json
from pathlib import Path

import numpy as np

MODEL_FILE = "model.npz"
METADATA_FILE = "model.json"


class ModelError(ValueError):
    """A saved model that cannot be loaded; str() names the file."""


def sigmoid(z):
    # exp of a large positive number overflows; clip keeps it finite and exact enough.
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


class LogisticRegression:
    """p(y=1 | x) = sigmoid(w . (x - mean) / std + b)."""

    def __init__(self, features, weights=None, bias=0.0, mean=None, std=None):
        n = len(features)
        self.features = list(features)
        self.weights = np.zeros(n) if weights is None else np.asarray(weights, dtype=float)
        self.bias = float(bias)
        self.mean = np.zeros(n) if mean is None else np.asarray(mean, dtype=float)
        self.std = np.ones(n) if std is None else np.asarray(std, dtype=float)

    def fit(self, X, y, learning_rate, epochs, l2=0.0, on_epoch=None):
        """Train on X (rows x features) and y (0/1); returns the training loss after each epoch.

        Starts from zero weights, so the same data and settings give the same
        model every time. `on_epoch(epoch, loss)` is called after each epoch.
        """
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)  # a constant column would divide by zero
        Z = (X - self.mean) / self.std
        self.weights = np.zeros(X.shape[1])
        self.bias = 0.0
        losses = []
        for epoch in range(1, epochs + 1):
            error = sigmoid(Z @ self.weights + self.bias) - y
            self.weights -= learning_rate * (Z.T @ error / len(y) + l2 * self.weights)
            self.bias -= learning_rate * error.mean()
            loss = log_loss(y, self.predict_proba(X))
            losses.append(loss)
            if on_epoch:
                on_epoch(epoch, loss)
        return losses

    def predict_proba(self, X):
        return sigmoid(((X - self.mean) / self.std) @ self.weights + self.bias)

    def predict(self, X, threshold=0.5):
        return (self.predict_proba(X) >= threshold).astype(int)

    def save(self, directory, metadata):
        """Write model.npz (the numbers) and model.json (`metadata` plus the features) into `directory`."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(
            directory / MODEL_FILE,
            weights=self.weights,
            bias=np.array(self.bias),
            mean=self.mean,
            std=self.std,
            features=np.array(self.features),
        )
        metadata = dict(metadata, features=self.features)
        with open(directory / METADATA_FILE, "w", encoding="utf-8") as f:
            json.dump(metadata, f, indent=2)
            f.write("\n")
        return directory / MODEL_FILE, directory / METADATA_FILE

    @classmethod
    def load(cls, directory):
        """The model and its metadata saved in `directory`; raises ModelError."""
        directory = Path(directory)
        npz, meta = directory / MODEL_FILE, directory / METADATA_FILE
        try:
            with np.load(npz, allow_pickle=False) as f:
                model = cls(
                    features=[str(name) for name in f["features"]],
                    weights=f["weights"],
                    bias=float(f["bias"]),
                    mean=f["mean"],
                    std=f["std"],
                )
        except (OSError, KeyError, ValueError) as e:
            raise ModelError(f"{npz}: not a model saved by src/model ({e})") from None
        try:
            with open(meta, encoding="utf-8") as f:
                metadata = json.load(f)
        except (OSError, ValueError) as e:
            raise ModelError(f"{meta}: cannot read the model's metadata ({e})") from None
        if metadata.get("features") != model.features:
            raise ModelError(f"{meta}: its features do not match {npz}'s")
        return model, metadata


def log_loss(y, p):
    """Mean binary cross-entropy; p is clipped so a confident mistake costs a lot, not infinity."""
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

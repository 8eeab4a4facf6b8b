"""Classification metrics of a model on a set of rows."""

import numpy as np

from .logistic import log_loss


def classification_metrics(model, X, y):
    """accuracy, loss (log loss), precision, recall, f1 and the row count, as plain floats/ints.

    Precision is 0 when the model predicts no positives (rather than a
    division by zero), and likewise recall and f1.
    """
    p = model.predict_proba(X)
    predicted = (p >= 0.5).astype(int)
    tp = int(((predicted == 1) & (y == 1)).sum())
    fp = int(((predicted == 1) & (y == 0)).sum())
    fn = int(((predicted == 0) & (y == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": float(np.mean(predicted == y)) if len(y) else 0.0,
        "loss": log_loss(y, p) if len(y) else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "rows": int(len(y)),
    }

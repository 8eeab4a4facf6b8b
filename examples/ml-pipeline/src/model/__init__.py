"""The example's model: logistic regression in numpy, and what it needs around it.

- config.py    reads the small YAML config files (no PyYAML in the runner image)
- data.py      data/config.yaml, the CSV, and the held-out split
- logistic.py  the model: train, predict, save/load (model.npz + model.json)
- metrics.py   accuracy, log loss, precision, recall, f1

The scripts in scripts/ put src/ on sys.path and import from here.
"""

from .config import ConfigError, load_config, parse_config
from .data import DataError, holdout_mask, load_arrays, load_data_config
from .logistic import LogisticRegression, ModelError, log_loss
from .metrics import classification_metrics

__all__ = [
    "ConfigError",
    "DataError",
    "LogisticRegression",
    "ModelError",
    "classification_metrics",
    "holdout_mask",
    "load_arrays",
    "load_config",
    "load_data_config",
    "log_loss",
    "parse_config",
]

"""The dataset: its settings (data/config.yaml), reading the CSV, the held-out split."""

import csv
import hashlib
from pathlib import Path

import numpy as np

from .config import ConfigError, load_config, require

# The project root: relative paths inside config files are taken from here,
# so the scripts work from any directory.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

COLUMN_TYPES = ("int", "float")


class DataError(ValueError):
    """A dataset that does not match its settings; str() names the file and line."""


class DataConfig:
    """The settings in data/config.yaml, checked when read."""

    def __init__(self, source, path, min_rows, label, columns, features, holdout_every):
        self.source = source  # the config file, for messages
        self.path = path  # the CSV
        self.min_rows = min_rows
        self.label = label
        self.columns = columns  # name -> "int" | "float", in file order
        self.features = features
        self.holdout_every = holdout_every


def load_data_config(path="data/config.yaml"):
    """Read and check data/config.yaml (or `path`); raises ConfigError."""
    raw = load_config(path)
    columns = require(raw, "columns", dict, path)
    for name, kind in columns.items():
        if kind not in COLUMN_TYPES:
            raise ConfigError(path, None, f"column `{name}` has type {kind!r}; use one of {', '.join(COLUMN_TYPES)}")
    label = require(raw, "label", str, path)
    features = require(raw, "features", list, path)
    for name in [label] + features:
        if name not in columns:
            raise ConfigError(path, None, f"`{name}` is not one of the columns")
    if label in features:
        raise ConfigError(path, None, f"the label `{label}` cannot also be a feature")
    min_rows = require(raw, "min_rows", int, path)
    holdout_every = require(raw, "holdout_every", int, path)
    if holdout_every < 2:
        raise ConfigError(path, None, "`holdout_every` must be at least 2 (every Nth row is held out)")
    return DataConfig(
        source=str(path),
        path=resolve(require(raw, "path", str, path)),
        min_rows=min_rows,
        label=label,
        columns=columns,
        features=[str(f) for f in features],
        holdout_every=holdout_every,
    )


def resolve(path):
    """`path` as given when absolute, else relative to the project root."""
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def display(path):
    """`path` relative to the project root when it is inside it (for messages)."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def read_table(path):
    """The CSV's header and rows (lists of strings); raises DataError."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise DataError(f"{display(path)}: cannot read the dataset: {e.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as e:
        raise DataError(f"{display(path)}: not a readable CSV file: {e}") from None
    if not rows:
        raise DataError(f"{display(path)}: the file is empty (no header row)")
    return rows[0], rows[1:]


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_arrays(config, features=None):
    """The features (a float matrix) and labels (0/1 ints) of every row.

    Raises DataError on the first value that does not fit; scripts/validate_data.py
    checks every value and reports them all.
    """
    features = features or config.features
    header, rows = read_table(config.path)
    missing = [name for name in features + [config.label] if name not in header]
    if missing:
        raise DataError(f"{display(config.path)}:1: missing column(s) {', '.join(missing)}")
    index = [header.index(name) for name in features]
    label_index = header.index(config.label)
    X = np.empty((len(rows), len(features)))
    y = np.empty(len(rows), dtype=int)
    for r, row in enumerate(rows):
        line = r + 2  # 1-based, after the header
        if len(row) != len(header):
            raise DataError(f"{display(config.path)}:{line}: {len(row)} fields, the header has {len(header)}")
        try:
            X[r] = [float(row[i]) for i in index]
            y[r] = int(row[label_index])
        except ValueError as e:
            raise DataError(f"{display(config.path)}:{line}: {e}") from None
        if y[r] not in (0, 1):
            raise DataError(f"{display(config.path)}:{line}: label {config.label} is {y[r]}, expected 0 or 1")
    if not np.isfinite(X).all():
        bad = int(np.argwhere(~np.isfinite(X))[0][0])
        raise DataError(f"{display(config.path)}:{bad + 2}: a feature is not a finite number")
    return X, y


def holdout_mask(rows, every):
    """True for the held-out (evaluation) rows: those whose 0-based index is a multiple of `every`.

    By position, not at random, so training and evaluation agree on the split
    in any job without sharing a seed or a file.
    """
    return np.arange(rows) % every == 0

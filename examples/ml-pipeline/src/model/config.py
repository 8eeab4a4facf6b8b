"""Read this project's small YAML config files without PyYAML.

The runner image has numpy but no PyYAML, and the job has no network to
install it, so this module reads the subset of YAML the config files use:

    # a comment                     whole-line, or after a value (` #`)
    key: value                      a scalar (see below)
    key: [a, b, 1.5]                a flow list of scalars
    key:                            followed by indented lines, either
      - value                       ... a list of scalars
      name: value                   ... or a mapping of scalars (one level)

Scalars: integers, floats, true/false, null or ~, 'single' or "double"
quoted strings, and bare strings. Anything else (tabs, deeper nesting,
anchors, multi-line strings, duplicate keys) is a ConfigError naming the
file and line, rather than a value read wrongly.
"""

import re

KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*):(?:\s+(.*))?$")
INT = re.compile(r"^[-+]?[0-9]+$")
FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?$")


class ConfigError(ValueError):
    """A config file that this reader does not accept; str() is `file:line: why`."""

    def __init__(self, path, line, message):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


def load_config(path):
    """Read the config file at `path` into a dict (keys in file order)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfigError(path, None, f"cannot read the file: {e.strerror}") from None
    return parse_config(text, str(path))


def parse_config(text, path="<config>"):
    """Parse config `text`; `path` only names the source in errors."""
    result = {}
    block_key = None  # the key whose indented block we are reading
    for number, raw in enumerate(text.splitlines(), start=1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise ConfigError(path, number, "indent with spaces, not tabs")
        line = _strip_comment(raw).rstrip()
        if not line.strip():
            continue
        indented = line[0] == " "
        body = line.strip()
        if indented:
            if block_key is None:
                raise ConfigError(path, number, f"unexpected indented line `{body}`")
            _add_to_block(result, block_key, body, path, number)
            continue
        match = KEY.match(body)
        if not match:
            raise ConfigError(path, number, f"expected `key: value`, found `{body}`")
        key, value = match.group(1), match.group(2)
        if key in result:
            raise ConfigError(path, number, f"`{key}` is set twice")
        if value is None or value == "":
            result[key] = None  # filled by the indented block, if any
            block_key = key
        else:
            result[key] = _parse_value(value, path, number)
            block_key = None
    return result


def _add_to_block(result, key, body, path, number):
    """Add one indented line to the list or mapping under `key`."""
    current = result[key]
    if body == "-" or body.startswith("- "):
        if isinstance(current, dict):
            raise ConfigError(path, number, f"`{key}` mixes list items and `name: value` lines")
        item = body[1:].strip()
        if item.startswith("[") or KEY.match(item):
            raise ConfigError(path, number, "list items must be plain values (no nesting)")
        result[key] = (current or []) + [_parse_scalar(item, path, number)]
        return
    match = KEY.match(body)
    if not match or match.group(2) is None or match.group(2) == "":
        raise ConfigError(path, number, f"expected `- value` or `name: value` under `{key}`, found `{body}`")
    if isinstance(current, list):
        raise ConfigError(path, number, f"`{key}` mixes list items and `name: value` lines")
    current = current or {}
    name = match.group(1)
    if name in current:
        raise ConfigError(path, number, f"`{key}.{name}` is set twice")
    value = match.group(2)
    if value.startswith("["):
        raise ConfigError(path, number, "values under a key must be plain values (no nesting)")
    current[name] = _parse_scalar(value, path, number)
    result[key] = current


def _parse_value(text, path, number):
    """A value after `key:` on the same line: a flow list or a scalar."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise ConfigError(path, number, "a list that starts with `[` must end with `]` on the same line")
        inner = text[1:-1].strip()
        if not inner:
            return []
        items = [item.strip() for item in inner.split(",")]
        if any(not item or item[0] in "[{" for item in items):
            raise ConfigError(path, number, f"list items must be plain values, found `{text}`")
        return [_parse_scalar(item, path, number) for item in items]
    if text.startswith("{") or text.startswith("|") or text.startswith(">") or text[0] in "&*!":
        raise ConfigError(path, number, f"`{text}` is YAML this reader does not support (see src/model/config.py)")
    return _parse_scalar(text, path, number)


def _parse_scalar(text, path, number):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text[:1] in ("'", '"'):
        raise ConfigError(path, number, f"unterminated quoted string `{text}`")
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "~", ""):
        return None
    if INT.match(text):
        return int(text)
    if FLOAT.match(text):
        return float(text)
    return text


def _strip_comment(line):
    """Drop a `#` comment unless it is inside quotes (YAML wants a space before it)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def require(config, key, kind, path):
    """`config[key]`, checked to be of `kind` (a type or tuple), or a ConfigError naming the file."""
    if key not in config or config[key] is None:
        raise ConfigError(path, None, f"`{key}` is missing")
    value = config[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(path, None, f"`{key}` should be {_kind_name(kind)}, found {value!r}")
    return value


def _kind_name(kind):
    names = {
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        bool: "true or false",
    }
    return names.get(kind, getattr(kind, "__name__", str(kind)))

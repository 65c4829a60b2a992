"""Render a CKAN ini template: ``python render_ini.py TEMPLATE OUT KEY=VALUE...``.

Placeholders are ``${KEY}`` (string.Template); CKAN's own ``%(here)s`` interpolation is left alone.
A placeholder without a value is an error, so a template and the script that renders it cannot drift.
"""

from __future__ import annotations

import string
import sys
from pathlib import Path


def render(template: str, values: dict[str, str]) -> str:
    return string.Template(template).substitute(values)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, target, *pairs = argv
    values = dict(pair.split("=", 1) for pair in pairs)
    try:
        text = render(Path(source).read_text(encoding="utf-8"), values)
    except KeyError as missing:
        print(f"render_ini: {source} needs a value for {missing}", file=sys.stderr)
        return 1
    except ValueError as bad:
        print(f"render_ini: {source} has a malformed placeholder: {bad}", file=sys.stderr)
        return 1
    out = Path(target)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

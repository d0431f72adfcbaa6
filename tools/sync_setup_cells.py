"""Rewrite the first code cell of every course notebook to the standard setup cell.

Run it after changing ``repository`` in ``_config.yml``::

    python -m tools.sync_setup_cells
"""

from __future__ import annotations

import json

from tools import course


def main() -> int:
    expected = course.setup_cell_source()
    for path in course.notebook_paths():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        first = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
        if "".join(first["source"]) != expected:
            first["source"] = expected.splitlines(keepends=True)
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"updated {path.relative_to(course.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Rewrite the first code cell of every chapter's and lab's source to the standard setup cell.

Run it after changing ``repository`` in ``_config.yml`` or the cell in :mod:`tools.course`;
it then regenerates the pages and notebooks (:mod:`tools.render`)::

    python -m tools.sync_setup_cells
"""

from __future__ import annotations

import json

from tools import course, render


def main() -> int:
    expected = course.setup_cell_source()
    for _, path in render.sources():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        first = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
        if "".join(first["source"]) != expected:
            first["source"] = expected.splitlines(keepends=True)
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"updated {path.relative_to(course.ROOT)}")
    return render.main([])


if __name__ == "__main__":
    raise SystemExit(main())

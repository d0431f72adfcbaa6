"""Repository-wide pytest setup.

Figures in the test process are drawn off-screen with Agg. This is set here,
not through MPLBACKEND, which notebook kernels would inherit (and lose their
inline figures). The labs' solved sources are not executed by nbval: the book
build executes their book pages, and nbval executes the learner notebooks.
"""

import matplotlib

matplotlib.use("Agg")

collect_ignore_glob = ["labs/source/*", "_build/*", ".venv/*"]

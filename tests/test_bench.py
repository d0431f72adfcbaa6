"""tools/bench.py: a wrong argument gets one line that names it and what is allowed."""

import pytest

from tools import bench


@pytest.mark.parametrize("argument", ["labs/01-diagnose-gradients.md", "chapters/no-such-chapter.ipynb"])
def test_a_path_that_is_not_a_notebook_file_is_refused_in_one_line(argument, capsys):
    with pytest.raises(SystemExit) as stopped:
        bench.main([argument])
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"notebooks: '{argument}' is not a notebook file (.ipynb)" in error and "labs/source" in error

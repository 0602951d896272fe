"""The committed notebooks as a reader finds them: a PURPOSE/REQUIRES/CREATES header, every code cell run, no
errors or warnings in the outputs, and no path of the machine they were run on."""

from __future__ import annotations

import json

import nbformat
import pytest

from evalkit.config import PROJ_ROOT

NOTEBOOKS = sorted((PROJ_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 9


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    header = nb.cells[0]
    assert header.cell_type == "markdown" and header.source.startswith("# ")
    for word in ("PURPOSE", "REQUIRES", "CREATES"):
        assert word in header.source, f"{path.name}: first cell has no {word}"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert all(c.execution_count is not None for c in code), f"{path.name}: not run top to bottom"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"], f"{path.name}: an error output"
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "Warning" not in stderr, f"{path.name}: a warning in the outputs: {stderr[:300]}"
    text = json.dumps(outputs)
    assert str(PROJ_ROOT) not in text and "PosixPath(" not in text, f"{path.name}: a machine path in the outputs"

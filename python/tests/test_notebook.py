"""examples/notebooks/accord-tour.ipynb runs from top to bottom in a fresh
kernel (nbclient, kernel `python3`, working directory the repository root):
every cell, including the notebook's own `assert`s (stationary distributions
sum to 1, π T = π, Shapley values add up to the protocol's gain, …), runs
without error, and the five figures and the tables appear. The notebook is
stored without outputs; scripts/test.sh installs nbclient, nbformat,
ipykernel and matplotlib."""

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "notebooks" / "accord-tour.ipynb"
CELL_TIMEOUT = 300  # seconds; the whole notebook takes about 15 s on two cores


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_notebook_is_stored_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in code_cells(notebook):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]


def test_the_tour_notebook_executes():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError, with the traceback, if any cell fails
    elapsed = time.perf_counter() - started
    print(f"notebook executed in {elapsed:.1f} s")

    outputs = [output for cell in code_cells(notebook) for output in cell.outputs]
    assert all(cell.execution_count is not None for cell in code_cells(notebook))
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) == 5, "gradient and stationary distribution, p_r sweep, trajectories, Shapley, Sobol'"
    tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(tables) >= 6
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"repository at {ROOT}" in text
    assert "No single mechanism is sufficient." in text
    assert "320 runs in" in text and "by total index:" in text
    assert "notebook ran in" in text

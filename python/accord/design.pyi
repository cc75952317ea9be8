from typing import Any, Dict

import numpy as np
import numpy.typing as npt

def latin_hypercube(points: int, dimensions: int, seed: int = 1) -> npt.NDArray[np.float64]:
    """``points`` × ``dimensions`` Latin hypercube in the unit cube."""

def saltelli(parameters: int, base_samples: int) -> npt.NDArray[np.float64]:
    """Saltelli's design, ``base_samples · (parameters + 2)`` points, SALib's row order."""

def sobol_indices(parameters: int, outputs: npt.ArrayLike, resamples: int = 1000, seed: int = 1) -> Dict[str, Any]:
    """``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (SALib's keys), with ``_low``/``_high`` intervals."""

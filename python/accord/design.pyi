from typing import Any, Dict, Optional

import numpy as np
import numpy.typing as npt

def latin_hypercube(points: int, dimensions: int, seed: int = 1) -> npt.NDArray[np.float64]:
    """``points`` × ``dimensions`` Latin hypercube in the unit cube."""

def saltelli(parameters: int, base_samples: int, skip: Optional[int] = None) -> npt.NDArray[np.float64]:
    """Saltelli's design, ``base_samples · (parameters + 2)`` points, SALib's row order:
    ``sobol.sample(..., calc_second_order=False, scramble=False, skip_values=skip)``.
    ``skip=None`` skips ``max(16, 2^⌈log₂ N⌉)`` Sobol' points, as ``accord sweep`` and SALib's
    ``saltelli.sample`` do; SALib 1.6's ``sobol.sample`` skips 0 by default."""

def sobol_indices(parameters: int, outputs: npt.ArrayLike, resamples: int = 1000, seed: int = 1) -> Dict[str, Any]:
    """``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (SALib's keys), with ``_low``/``_high`` intervals."""

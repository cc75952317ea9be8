"""Accord from Python.

The same engine as the ``accord`` command, called in-process:

* :mod:`accord.egt` — evolutionary dynamics (fixation, small-mutation limit,
  full chain, gradient of selection, Monte Carlo) with EGTtools' argument
  order and conventions, numpy in and numpy out;
* :mod:`accord.protocol` — protocol files (validated, errors with file, line
  and field) and event replays through the protocol's state machine;
* :mod:`accord.log` — verification of transparency-log checkpoints,
  inclusion and consistency proofs and tlog-proof bundles;
* :mod:`accord.design` — Latin hypercubes, Saltelli designs and Sobol'
  sensitivity indices with SALib's conventions;
* :func:`simulate`, :func:`evaluate`, :func:`attack`, :func:`egta`,
  :func:`design_protocol`, :func:`lobby`, :func:`market`, :func:`precipice`, :func:`international` and
  :func:`calibrate` — ``accord simulate``, ``evaluate``, ``attack``,
  ``egta``, ``design``, ``lobby``, ``market``, ``precipice``,
  ``international`` and ``calibrate``, results as pandas DataFrames;
* :mod:`accord.distributed` — evaluations, sweeps and Monte Carlo runs cut
  into shards on a Dask cluster, merged into exactly the single-process
  result (import it explicitly; it needs ``dask.distributed``).

Errors are :class:`AccordError` subclasses carrying the library's message.
Long computations release the GIL.
"""

from ._accord import (
    AccordError,
    DynamicsError,
    GameError,
    ProtocolError,
    VerificationError,
    WorldError,
    __version__,
)
from . import design, egt, log, protocol
from .experiments import attack, calibrate, design_protocol, egta, evaluate, international, lobby, market, precipice, simulate

__all__ = [
    "AccordError",
    "DynamicsError",
    "GameError",
    "ProtocolError",
    "VerificationError",
    "WorldError",
    "__version__",
    "attack",
    "calibrate",
    "design",
    "design_protocol",
    "egta",
    "evaluate",
    "egt",
    "lobby",
    "log",
    "market",
    "precipice",
    "international",
    "protocol",
    "simulate",
]

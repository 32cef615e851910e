"""bess_harness: the Python side of bess-harness.

- the loader API (:func:`load_timeseries`, :func:`load_labels`, :func:`load_metadata`,
  :func:`load_dataset`), with the TypeScript loader's rules and messages;
- :class:`Model` and :func:`serve`, which runs a model as a process plugin of the harness
  (docs/process-protocol.md), and :func:`seed_int`, the harness's seed as an integer;
- :func:`visualize_labels` and :func:`load_results` for notebooks.
"""
from .errors import HarnessDataError, Problem
from .loader import describe_layout, load_dataset, load_labels, load_metadata, load_timeseries
from .model import Dataset, Model, SystemData
from .plots import visualize_labels
from .protocol import PROTOCOL
from .results import Results, load_results
from .seeds import seed_int
from .serve import serve

__all__ = [
    "PROTOCOL",
    "Results",
    "load_results",
    "visualize_labels",
    "Dataset",
    "Model",
    "SystemData",
    "serve",
    "seed_int",
    "HarnessDataError",
    "Problem",
    "describe_layout",
    "load_dataset",
    "load_labels",
    "load_metadata",
    "load_timeseries",
]

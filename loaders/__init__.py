"""Loaders: read a canonical dataset (CSV folder or .xlsx) into the validated domain model."""
from .errors import DatasetError, Problem
from .load import load_dataset
from .model import Dataset

__all__ = ["Dataset", "DatasetError", "Problem", "load_dataset"]

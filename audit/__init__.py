"""The audit cycle: compare two runs (diff), hypothetical changes (whatif), follow-up closing,
and the inspection calendar (ics). Plain functions over loaders' Datasets and the rule engine."""

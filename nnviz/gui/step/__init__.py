"""The Step dock (README, "Single-step backpropagation"): ``step_panel`` (the panel's widgets and
``install``), ``session`` (the stepper, pausing the worker, one counter with the trainer, sample
picks), ``overlay`` (the phase on the network view), ``tables`` (values, ledger, samples and
gradient-check tables)."""

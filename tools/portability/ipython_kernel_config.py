# IPython configuration of the kernels of `make nbval` (copied beside the jitter's
# startup file, into a private IPYTHONDIR): no input history. Two notebook kernels run
# at once (pytest -n 2); a shared history database is only extra file locking between
# them, and nbval never needs it.
c = get_config()  # noqa: F821
c.HistoryManager.enabled = False

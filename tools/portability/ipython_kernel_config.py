# IPython configuration of the notebook kernels under nbval (`make nbval`, `make
# report`): tools/nbval_plugin.py copies it into their private IPYTHONDIR, beside the
# jitter's startup file. No input history: two notebook kernels run at once (pytest
# -n 2); a shared history database is only extra file locking between them, and nbval
# never needs it.
c = get_config()  # noqa: F821
c.HistoryManager.enabled = False

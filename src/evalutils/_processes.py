"""How evalutils starts worker processes."""

from __future__ import annotations


def clean_context():
    """A multiprocessing context whose workers start from a clean process, never by forking the caller.

    A forked child inherits the caller's locks but not its threads: a caller that has
    used a thread pool (Typst's PDF compiler, BLAS, a test runner's own threads)
    can deadlock the child. ``forkserver`` forks from a small clean server process;
    ``spawn`` where forkserver does not exist. Either way a calling script needs the
    usual ``if __name__ == "__main__":`` guard.
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")

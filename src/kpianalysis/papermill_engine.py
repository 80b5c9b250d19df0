"""The Papermill engine the build runs reports with: nbclient, with fewer intermediate saves.

Papermill's own ``nbclient`` engine writes the whole notebook to its output path when the run
starts, when every cell starts and when every cell ends: 2 × cells + 2 serialisations (each
a deep copy, a schema validation and a JSON dump of every output, figures included) for a
report that needs one. Those writes are the largest part of what a build worker spends on a
report. This engine is the same engine with the in-between writes spaced at least
``SAVE_EVERY`` seconds apart: a report that runs for a few seconds is written twice, when it
starts (no output yet: the file says the report is running) and when it ends (a failed one
too: Papermill always saves on completion), while a long or hung one still leaves a notebook
on disk showing how far it got.

Register it with :func:`engine_name` and pass the name to ``papermill.execute_notebook``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ENGINE", "SAVE_EVERY", "engine_name"]

#: The engine's name in Papermill's registry.
ENGINE = "kpianalysis"
#: Seconds between two saves of a running notebook (the final save always happens).
SAVE_EVERY = 2.0


def _classes() -> tuple[type, type]:
    from papermill.engines import NBClientEngine, NotebookExecutionManager

    class SparseSaveManager(NotebookExecutionManager):  # type: ignore[misc]
        """Saves when the run starts (the notebook, no output yet), at cell boundaries only
        when ``SAVE_EVERY`` seconds have passed, and when it ends."""

        _final = False
        _started = False

        def save(self, **kwargs: Any) -> None:
            waited = (self.now() - self.last_save_time).total_seconds()
            if self._final or not self._started or waited >= SAVE_EVERY:
                self._started = True
                super().save(**kwargs)

        def notebook_complete(self, **kwargs: Any) -> None:
            self._final = True  # Papermill's last save, whatever happened before
            super().notebook_complete(**kwargs)

    class SparseSaveEngine(NBClientEngine):  # type: ignore[misc]
        """Papermill's nbclient engine with :class:`SparseSaveManager`."""

        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, output_path: Any = None,
                             progress_bar: bool = True, log_output: bool = False,
                             autosave_cell_every: int = 30, **kwargs: Any) -> Any:
            manager = SparseSaveManager(nb, output_path=output_path, progress_bar=progress_bar,
                                        log_output=log_output,
                                        autosave_cell_every=autosave_cell_every)
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output,
                                             **kwargs)
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            return manager.nb

    return SparseSaveManager, SparseSaveEngine


def engine_name() -> str:
    """Register the engine with Papermill (once per process); return its name."""
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillException

    try:
        papermill_engines.get_engine(ENGINE)
    except PapermillException:
        papermill_engines.register(ENGINE, _classes()[1])
    return ENGINE

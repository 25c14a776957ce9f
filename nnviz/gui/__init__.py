"""The desktop window (PySide6 + pyqtgraph). May import nnviz.core; never the other way round."""

import os

# pyqtgraph picks its Qt binding from what is imported first; make it PySide6 in any case.
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
import PySide6.QtCore  # noqa: E402,F401  (import before pyqtgraph, see above)

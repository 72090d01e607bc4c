import sys
from pathlib import Path

# cluster_box and the shared helpers (Tests/Compat/compat_helpers.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Compat"))

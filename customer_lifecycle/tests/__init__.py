from . import test_prediction_backtest
from . import test_overview
from . import test_lifecycle_baseline

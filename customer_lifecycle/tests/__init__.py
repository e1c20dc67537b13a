from . import test_prediction_backtest

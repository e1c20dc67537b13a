from . import test_queue_split

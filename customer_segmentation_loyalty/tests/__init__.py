from . import test_segment_offer

from . import expiry, tiers

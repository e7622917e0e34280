"""City Biodiversity Index (Singapore Index, SI/CBI) computed from land-cover rasters and boundaries."""

__version__ = "0.1.0"

"""Build the cat / non-cat HDF5 image files: rendered synthetic pictures or your own photos."""

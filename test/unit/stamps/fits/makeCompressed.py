"""Writes tile-compressed FITS files with astropy (as fpack would) and, for each, what astropy
decodes from it: <name>.fz, and <name>.f64 (the decoded pixels, float64 little-endian, NaN where
astropy reads NaN) with a line per file in manifest.txt: name width height.
Usage: python3 makeCompressed.py <out-dir> [<plain FITS stamp> ...]"""
import os
import sys

import numpy as np
from astropy.io import fits

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
cases = []

sky = (100 + 10 * rng.standard_normal((51, 51))).astype(np.float32)
sky[25, 25] += 500  # a star
with_nan = sky.copy()
with_nan[0:3, :] = np.nan  # an edge mask: whole tiles that cannot be quantized
with_nan[10:40:7, 5:45:3] = np.nan  # scattered bad pixels inside quantized tiles
zeros = sky.copy()
zeros[10:20, 10:20] = 0.0
ints16 = (rng.integers(-3000, 3000, (45, 61))).astype(np.int16)
ints32 = (rng.integers(-2**31 + 2, 2**31 - 2, (33, 47))).astype(np.int32)
ints8 = (rng.integers(0, 255, (30, 30))).astype(np.uint8)
wide = (1e-3 * rng.standard_normal((63, 63))).astype(np.float64)

for cmp in ("RICE_1", "GZIP_1", "GZIP_2"):
    cases.append((f"sky_{cmp}", sky, dict(compression_type=cmp, quantize_method=1, dither_seed=5)))
cases += [
    ("nan_rice_dither1", with_nan, dict(compression_type="RICE_1", quantize_method=1, dither_seed=42)),
    ("zeros_rice_dither2", zeros, dict(compression_type="RICE_1", quantize_method=2, dither_seed=9999)),
    ("sky_rice_nodither", sky, dict(compression_type="RICE_1", quantize_method=-1)),
    ("sky_rice_tiles16", sky, dict(compression_type="RICE_1", quantize_method=1, dither_seed=3, tile_shape=(16, 16))),
    ("sky_gzip_lossless", sky, dict(compression_type="GZIP_1", quantize_level=0.0)),
    ("int16_rice", ints16, dict(compression_type="RICE_1")),
    ("int16_gzip2_tiles", ints16, dict(compression_type="GZIP_2", tile_shape=(10, 20))),
    ("int32_rice", ints32, dict(compression_type="RICE_1")),
    ("uint8_rice", ints8, dict(compression_type="RICE_1")),
    ("f64_rice", wide, dict(compression_type="RICE_1", quantize_method=1, dither_seed=11)),
]
for path in sys.argv[2:]:
    data = fits.getdata(path).astype(np.float32)
    name = "real_" + os.path.basename(path).split(".")[0]
    cases.append((name, data, dict(compression_type="RICE_1", quantize_method=1, dither_seed=1)))

with open(os.path.join(out, "manifest.txt"), "w") as manifest:
    for name, data, kw in cases:
        fz = os.path.join(out, name + ".fits.fz")
        hdu = fits.CompImageHDU(data=data, header=fits.Header([("FILTER", "r")]), **kw)
        fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(fz, overwrite=True)
        with fits.open(fz) as f:
            back = np.asarray(f[1].data, dtype=np.float64)
        back.astype("<f8").tofile(os.path.join(out, name + ".f64"))
        manifest.write(f"{name} {data.shape[1]} {data.shape[0]}\n")

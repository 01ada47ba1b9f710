"""Affine frames and point lists for shapes given in a figure's own coordinates (y points down)."""

import math

import numpy as np


class Frame:
    """Maps local (x, y) coordinates to image pixels through a 2-D affine matrix."""

    def __init__(self, matrix):
        self.matrix = np.asarray(matrix, dtype=float)

    @classmethod
    def at(cls, x, y, scale, angle=0.0, flip=False):
        """Origin at pixel (x, y), one local unit = ``scale`` pixels, rotated by ``angle`` degrees."""
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        mirror = -1.0 if flip else 1.0
        return cls(
            [[scale * cos * mirror, -scale * sin, x], [scale * sin * mirror, scale * cos, y], [0, 0, 1]]
        )

    def sub(self, x, y, scale=1.0, angle=0.0, flip=False):
        """A frame placed inside this one, in this one's coordinates."""
        return Frame(self.matrix @ Frame.at(x, y, scale, angle, flip).matrix)

    def map(self, points):
        """Pixel coordinates of local points, as a list of (x, y) tuples for ImageDraw."""
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        pixels = pts @ self.matrix[:2, :2].T + self.matrix[:2, 2]
        return [tuple(p) for p in pixels]

    @property
    def unit(self):
        """Pixels per local unit (geometric mean over both axes)."""
        return math.sqrt(abs(np.linalg.det(self.matrix[:2, :2])))


def ellipse(cx, cy, rx, ry, angle=0.0, n=36):
    """Points around an ellipse centred at (cx, cy), rotated by ``angle`` degrees."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    x, y = rx * np.cos(t), ry * np.sin(t)
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return np.stack([cx + x * cos - y * sin, cy + x * sin + y * cos], axis=1)


def rect(x0, y0, x1, y1):
    """The four corners of an axis-aligned rectangle."""
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


def bezier(*controls, n=24):
    """Points along a Bezier curve through its control points (any degree)."""
    pts = np.asarray(controls, dtype=float)
    t = np.linspace(0, 1, n)[:, None]
    degree = len(pts) - 1
    weights = [math.comb(degree, k) * t**k * (1 - t) ** (degree - k) for k in range(degree + 1)]
    return sum(w * p for w, p in zip(weights, pts))


def tube(path, r_start, r_end, cap_points=8):
    """Outline of a stroke along ``path`` whose half-width goes from r_start to r_end, round ends."""
    path = np.asarray(path, dtype=float)
    radius = np.linspace(r_start, r_end, len(path))[:, None]
    tangent = np.gradient(path, axis=0)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    left, right = path + normal * radius, path - normal * radius
    end_cap = _cap(path[-1], tangent[-1], radius[-1, 0], cap_points)
    start_cap = _cap(path[0], -tangent[0], radius[0, 0], cap_points)
    return np.concatenate([left, end_cap, right[::-1], start_cap])


def _cap(centre, direction, radius, n):
    """Half circle from the left side round the tip to the right side of a stroke end."""
    base = math.atan2(direction[1], direction[0])
    t = np.linspace(base + np.pi / 2, base - np.pi / 2, n + 2)[1:-1]
    return np.stack([centre[0] + radius * np.cos(t), centre[1] + radius * np.sin(t)], axis=1)

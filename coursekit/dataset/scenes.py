"""Backgrounds shared by both classes: rooms, sofas, gardens, landscapes, fabrics, gradients, clutter.

Each ``draw_*`` paints the whole square image and returns the band of heights (fractions of the
image, top = 0) where a figure's feet may rest.
"""

import numpy as np
from PIL import Image

from .geometry import ellipse, rect
from .paint import fill, stroke
from .palette import any_color, jitter, mix, pick, shade

SKY = [(120, 170, 230), (170, 200, 235), (230, 170, 120), (90, 110, 160), (200, 210, 220)]
WALLS = [
    (232, 222, 200),
    (215, 205, 185),
    (200, 200, 196),
    (240, 238, 230),
    (196, 210, 222),
    (205, 218, 195),
    (225, 200, 190),
    (180, 170, 160),
    (150, 160, 170),
]
FLOORS = [(150, 105, 65), (120, 80, 50), (190, 150, 105), (110, 110, 110), (160, 90, 70), (90, 70, 60)]
CLOTHS = [
    (120, 60, 60),
    (60, 80, 120),
    (90, 110, 80),
    (140, 130, 120),
    (200, 190, 170),
    (70, 70, 75),
    (170, 120, 80),
    (110, 90, 130),
]


def gradient(size, top, bottom, angle=0.0, radial=False):
    """An RGB image blending from ``top`` to ``bottom`` (linear at ``angle`` degrees, or radial)."""
    y, x = np.mgrid[0:size, 0:size] / (size - 1) - 0.5
    if radial:
        t = np.clip(np.hypot(x, y) * 1.6, 0, 1)
    else:
        t = np.clip(0.5 + x * np.sin(np.radians(angle)) + y * np.cos(np.radians(angle)), 0, 1)
    pixels = np.array(top, float) + t[..., None] * (np.array(bottom, float) - np.array(top, float))
    return Image.fromarray(pixels.astype(np.uint8))


def paste_gradient(image, top, bottom, box=None, **kwargs):
    """Cover the image (or the pixel box x0, y0, x1, y1) with a gradient."""
    x0, y0, x1, y1 = box or (0, 0, image.width, image.height)
    image.paste(gradient(image.width, top, bottom, **kwargs).resize((x1 - x0, y1 - y0)), (x0, y0))


def draw_room(image, frame, rng):
    """Wall, floor of planks, carpet or tiles, maybe a window, a picture and a skirting board."""
    size, floor_y = image.width, rng.uniform(0.5, 0.8)
    wall = jitter(rng, pick(rng, WALLS), 15)
    paste_gradient(image, wall, shade(wall, rng.uniform(0.7, 1.0)), angle=rng.uniform(-60, 60))
    if rng.random() < 0.5:
        x = rng.uniform(0.05, 0.6)
        fill(image, frame, rect(x, 0.1, x + 0.3, floor_y - 0.15), (235, 235, 230))
        fill(image, frame, rect(x + 0.02, 0.12, x + 0.28, floor_y - 0.17), pick(rng, SKY))
        stroke(image, frame, [(x + 0.15, 0.12), (x + 0.15, floor_y - 0.17)], (235, 235, 230), 0.015)
    if rng.random() < 0.5:
        x, y = rng.uniform(0.05, 0.75), rng.uniform(0.05, 0.25)
        fill(image, frame, rect(x, y, x + 0.2, y + 0.15), jitter(rng, (110, 80, 50), 30))
        fill(image, frame, rect(x + 0.02, y + 0.02, x + 0.18, y + 0.13), any_color(rng))
    floor = jitter(rng, pick(rng, FLOORS), 15)
    top = int(floor_y * size)
    paste_gradient(image, shade(floor, 0.8), floor, box=(0, top, size, size))
    style = pick(rng, ["planks", "tiles", "carpet"])
    if style == "planks":
        for x in np.arange(-1.0, 2.0, rng.uniform(0.08, 0.15)):
            stroke(image, frame, [(0.5 + (x - 0.5) * 0.5, floor_y), (x, 1.0)], shade(floor, 0.7), 0.006)
    elif style == "tiles":
        for y in np.arange(floor_y, 1.0, 0.06 + (1 - floor_y) * 0.1):
            stroke(image, frame, [(0, y), (1, y)], shade(floor, 0.75), 0.006)
    fill(image, frame, rect(0, floor_y - 0.03, 1, floor_y), shade(wall, 0.8))
    return floor_y + 0.05, 0.97


def draw_sofa(image, frame, rng):
    """A sofa filling the frame: back cushions, seat, armrests."""
    wall = jitter(rng, pick(rng, WALLS), 15)
    paste_gradient(image, wall, shade(wall, 0.85))
    cloth = jitter(rng, pick(rng, CLOTHS), 20)
    back, seat = rng.uniform(0.15, 0.35), rng.uniform(0.55, 0.7)
    fill(image, frame, rect(0, back, 1, 1), shade(cloth, 0.85))
    for x in np.arange(0.0, 1.0, 0.5):
        fill(image, frame, ellipse(x + 0.25, (back + seat) / 2, 0.24, (seat - back) / 2), cloth)
    fill(image, frame, rect(0, seat, 1, 1), shade(cloth, 0.95))
    stroke(image, frame, [(0, seat), (1, seat)], shade(cloth, 0.6), 0.01)
    if rng.random() < 0.5:
        x = rng.uniform(0.05, 0.75)
        fill(image, frame, ellipse(x, seat - 0.08, 0.12, 0.1, angle=rng.uniform(-30, 30)), any_color(rng))
    return seat + 0.1, 0.95


def draw_garden(image, frame, rng):
    """Sky, grass with blades, maybe a fence, bushes and flowers."""
    horizon = rng.uniform(0.25, 0.6)
    sky = pick(rng, SKY)
    paste_gradient(image, shade(sky, 0.9), mix(sky, (255, 255, 255), 0.5))
    grass = jitter(rng, (85, 150, 60), 30)
    top = int(horizon * image.width)
    paste_gradient(image, shade(grass, 0.85), grass, box=(0, top, image.width, image.width))
    for _ in range(int(rng.integers(0, 4))):
        fill(
            image,
            frame,
            ellipse(rng.uniform(0, 1), horizon, rng.uniform(0.08, 0.2), rng.uniform(0.05, 0.12)),
            shade(grass, rng.uniform(0.6, 0.8)),
        )
    if rng.random() < 0.4:
        wood = pick(rng, [(240, 240, 235), (150, 110, 70)])
        for x in np.arange(0, 1.05, 0.08):
            fill(image, frame, rect(x, horizon - 0.15, x + 0.05, horizon + 0.05), wood)
    for _ in range(120):
        x, y = rng.uniform(0, 1), rng.uniform(horizon, 1)
        stroke(
            image,
            frame,
            [(x, y), (x + rng.uniform(-0.02, 0.02), y - 0.03)],
            shade(grass, rng.uniform(0.6, 1.3)),
            0.005,
        )
    for _ in range(int(rng.integers(0, 10))):
        fill(image, frame, ellipse(rng.uniform(0, 1), rng.uniform(horizon, 1), 0.012, 0.012), any_color(rng))
    return max(horizon + 0.1, 0.6), 0.97


def draw_landscape(image, frame, rng):
    """Sky, sun, mountains, hills and maybe a lake or sea."""
    sky = pick(rng, SKY)
    paste_gradient(image, shade(sky, 0.8), mix(sky, (255, 240, 220), 0.6))
    if rng.random() < 0.6:
        fill(
            image, frame, ellipse(rng.uniform(0.1, 0.9), rng.uniform(0.08, 0.3), 0.07, 0.07), (255, 235, 150)
        )
    horizon = rng.uniform(0.4, 0.65)
    for layer in range(int(rng.integers(1, 4))):
        rock = jitter(rng, (110, 110, 130), 30)
        xs = np.linspace(-0.1, 1.1, int(rng.integers(3, 7)))
        peaks = [(x, horizon - rng.uniform(0.05, 0.3) + layer * 0.05) for x in xs]
        fill(
            image,
            frame,
            np.array([(-0.1, horizon + 0.05)] + peaks + [(1.1, horizon + 0.05)]),
            shade(rock, 1 - layer * 0.1),
        )
    ground = pick(rng, [(80, 140, 60), (200, 180, 120), (60, 110, 160)])
    top = int(horizon * image.width)
    paste_gradient(image, jitter(rng, ground, 20), shade(ground, 0.7), box=(0, top, image.width, image.width))
    return max(horizon + 0.15, 0.6), 0.97


def draw_fabric(image, frame, rng):
    """Blanket or bedspread: checks, stripes or dots."""
    base, other = jitter(rng, pick(rng, WALLS + CLOTHS), 15), jitter(rng, pick(rng, CLOTHS), 20)
    paste_gradient(image, base, shade(base, 0.85), angle=rng.uniform(0, 360))
    step, pattern = rng.uniform(0.08, 0.2), pick(rng, ["checks", "stripes", "dots"])
    for i, v in enumerate(np.arange(0, 1.0, step)):
        if pattern == "dots":
            for u in np.arange(0, 1.0, step):
                fill(image, frame, ellipse(u + (i % 2) * step / 2, v, step * 0.2, step * 0.2), other)
        else:
            fill(image, frame, rect(v, 0, v + step / 2, 1), other + (140,))
            if pattern == "checks":
                fill(image, frame, rect(0, v, 1, v + step / 2), other + (140,))
    return 0.6, 0.97


def draw_gradient(image, frame, rng):
    """Plain studio backdrop: linear or radial blend of two colours."""
    top, bottom = (any_color(rng, saturation=(0.0, 0.5)) for _ in range(2))
    paste_gradient(image, top, bottom, angle=rng.uniform(0, 360), radial=rng.random() < 0.3)
    return 0.55, 0.97


def draw_clutter(image, frame, rng):
    """Abstract clutter: many random rectangles, discs, triangles and lines."""
    paste_gradient(image, any_color(rng), any_color(rng), angle=rng.uniform(0, 360))
    for _ in range(int(rng.integers(10, 40))):
        x, y, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.03, 0.2)
        kind = rng.integers(4)
        colour = any_color(rng) + (int(rng.integers(120, 256)),)
        if kind == 0:
            fill(image, frame, rect(x - r, y - r * rng.uniform(0.3, 1), x + r, y + r), colour)
        elif kind == 1:
            fill(image, frame, ellipse(x, y, r, r * rng.uniform(0.5, 1.5)), colour)
        elif kind == 2:
            fill(image, frame, rng.uniform(-r, r, size=(3, 2)) * 2 + (x, y), colour)
        else:
            stroke(
                image,
                frame,
                [(x, y), (x + rng.uniform(-0.4, 0.4), y + rng.uniform(-0.4, 0.4))],
                colour,
                0.015,
            )
    return 0.5, 0.97


SCENES = {
    "room": draw_room,
    "sofa": draw_sofa,
    "garden": draw_garden,
    "landscape": draw_landscape,
    "fabric": draw_fabric,
    "gradient": draw_gradient,
    "clutter": draw_clutter,
}

"""Fur coats: base colour, colours by body part, and stripe or patch layers painted through masks."""

from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from .geometry import bezier, ellipse, tube
from .palette import alpha, shade


@dataclass
class Coat:
    """How to colour the parts of an animal."""

    base: tuple
    roles: dict = field(default_factory=dict)
    layers: list = field(default_factory=list)  # (colour, mask image, roles it may cover or None)
    marks: tuple = None  # colour of tabby forehead marks, if any

    def color(self, role):
        if role in self.roles:
            return self.roles[role]
        if role.endswith("_far"):
            return shade(self.color(role[:-4]), 0.8)
        return self.base


def paint_parts(image, parts, coat, line_width=0.03):
    """Paint (frame, points, role) parts back to front, each with its colour, layers and an outline."""
    line = alpha(shade(coat.base, 0.45), 150)
    for frame, points, role in parts:
        mask = Image.new("L", image.size, 0)
        pixels = frame.map(points)
        ImageDraw.Draw(mask).polygon(pixels, fill=255)
        image.paste(coat.color(role), mask=mask)
        for color, layer, roles in coat.layers:
            if (roles is None and role.split("_")[0] not in coat.roles) or (roles and role in roles):
                image.paste(color, mask=ImageChops.multiply(mask, layer))
        width = max(1, round(line_width * frame.unit))
        ImageDraw.Draw(image, "RGBA").line(pixels + pixels[:1], fill=line, width=width, joint="curve")


def stripes(size, frame, rng, angle=0.0, spacing=0.22, width=0.05, wobble=0.06):
    """Mask of wavy stripes across a figure, perpendicular to ``angle`` degrees in its frame."""
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    turn = np.radians(angle)
    along, across = np.array([np.cos(turn), np.sin(turn)]), np.array([-np.sin(turn), np.cos(turn)])
    for offset in np.arange(-1.6, 1.6, spacing):
        start = along * (offset + rng.uniform(-0.03, 0.03))
        bend = along * rng.uniform(-wobble, wobble)
        path = bezier(
            start - across * 1.4,
            start + bend - across * 0.4,
            start - bend + across * 0.4,
            start + across * 1.4,
            n=20,
        )
        draw.polygon(frame.map(tube(path, width * rng.uniform(0.6, 1.3), width * 0.5)), fill=255)
    return mask


def patches(size, frame, rng, count, radius):
    """Mask of random blotches over a figure's frame (about -1..1 on both axes)."""
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for _ in range(count):
        cx, cy = rng.uniform(-1.1, 1.1, size=2)
        blob = ellipse(
            cx,
            cy,
            radius * rng.uniform(0.5, 1.4),
            radius * rng.uniform(0.5, 1.2),
            angle=rng.uniform(0, 180),
            n=24,
        )
        blob += rng.normal(0, radius * 0.12, size=blob.shape)
        draw.polygon(frame.map(blob), fill=255)
    return mask

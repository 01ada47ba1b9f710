"""Everyday objects that are not animals: cars, houses, flowers, fruit, furniture, toys, trees."""

import numpy as np

from .geometry import bezier, ellipse, rect, tube
from .paint import fill, outline, stroke
from .palette import alpha, any_color, jitter, pick, shade

DARK = (30, 30, 34)


def draw_car(image, frame, rng):
    paint = any_color(rng, value=(0.3, 0.95))
    fill(
        image, frame, np.array([(-0.55, 0.05), (-0.35, -0.35), (0.35, -0.35), (0.6, 0.05)]), shade(paint, 0.9)
    )
    for x0, x1 in ((-0.45, -0.03), (0.03, 0.45)):
        fill(
            image,
            frame,
            np.array([(x0 + 0.05, 0.0), (x0 + 0.12, -0.28), (x1 - 0.08, -0.28), (x1, 0.0)]),
            (170, 200, 220),
        )
    fill(image, frame, rect(-1.0, 0.0, 1.0, 0.45), paint)
    outline(image, frame, rect(-1.0, 0.0, 1.0, 0.45), shade(paint, 0.5), 0.03)
    fill(image, frame, ellipse(-0.93, 0.15, 0.07, 0.06), (250, 240, 180))
    for x in (-0.6, 0.6):
        fill(image, frame, ellipse(x, 0.45, 0.24, 0.24), DARK)
        fill(image, frame, ellipse(x, 0.45, 0.11, 0.11), (170, 170, 175))


def draw_house(image, frame, rng):
    wall, roof = any_color(rng, saturation=(0.1, 0.5), value=(0.6, 0.95)), any_color(rng, value=(0.3, 0.7))
    fill(image, frame, rect(-0.8, -0.2, 0.8, 0.9), wall)
    fill(image, frame, np.array([(-1.0, -0.15), (0, -0.95), (1.0, -0.15)]), roof)
    fill(image, frame, rect(-0.15, 0.4, 0.15, 0.9), shade(roof, 0.7))
    for x in (-0.5, 0.5):
        fill(image, frame, rect(x - 0.17, 0.0, x + 0.17, 0.3), (160, 200, 230))
        stroke(image, frame, [(x, 0.0), (x, 0.3)], (250, 250, 250), 0.03)
        stroke(image, frame, [(x - 0.17, 0.15), (x + 0.17, 0.15)], (250, 250, 250), 0.03)
    if rng.random() < 0.6:
        fill(image, frame, rect(0.4, -0.8, 0.6, -0.45), shade(wall, 0.6))


def draw_flowers(image, frame, rng):
    pot = jitter(rng, pick(rng, [(185, 95, 60), (70, 110, 160), (230, 230, 225)]), 20)
    for _ in range(int(rng.integers(3, 7))):
        top = (rng.uniform(-0.6, 0.6), rng.uniform(-0.9, -0.2))
        stroke(image, frame, bezier((0, 0.4), (top[0] * 0.3, 0.0), top, n=10), (60, 130, 50), 0.04)
        petal, count = any_color(rng, saturation=(0.5, 1), value=(0.7, 1)), int(rng.integers(5, 9))
        for angle in np.linspace(0, 360, count, endpoint=False):
            a = np.radians(angle)
            fill(
                image,
                frame,
                ellipse(top[0] + 0.14 * np.cos(a), top[1] + 0.14 * np.sin(a), 0.13, 0.07, angle=angle),
                petal,
            )
        fill(image, frame, ellipse(*top, 0.07, 0.07), (240, 200, 40))
    fill(image, frame, np.array([(-0.4, 0.35), (0.4, 0.35), (0.3, 0.9), (-0.3, 0.9)]), pot)


def draw_fruit(image, frame, rng):
    """A bowl or a pile of apples, oranges, lemons, pears and bananas."""
    kinds = [((200, 30, 30), 0.22), ((245, 140, 20), 0.22), ((240, 220, 60), 0.18), ((150, 200, 60), 0.22)]
    for _ in range(int(rng.integers(3, 7))):
        colour, r = pick(rng, kinds)
        x, y = rng.uniform(-0.55, 0.55), rng.uniform(0.0, 0.35)
        fill(image, frame, ellipse(x, y, r, r * rng.uniform(0.9, 1.1)), jitter(rng, colour, 15))
        fill(
            image, frame, ellipse(x - r * 0.35, y - r * 0.35, r * 0.2, r * 0.15), alpha((255, 255, 255), 120)
        )
    if rng.random() < 0.5:
        fill(image, frame, tube(bezier((-0.6, 0.0), (0, 0.3), (0.6, -0.05)), 0.1, 0.07), (245, 215, 70))
    fill(
        image,
        frame,
        bezier((-0.95, 0.3), (-0.8, 0.95), (0.8, 0.95), (0.95, 0.3)),
        any_color(rng, value=(0.4, 0.95)),
    )


def draw_chair(image, frame, rng):
    wood = jitter(rng, pick(rng, [(140, 90, 50), (90, 60, 35), (200, 160, 110), (60, 60, 60)]), 15)
    for x in (-0.5, 0.5):
        fill(image, frame, rect(x - 0.06, -0.9, x + 0.06, 0.9), shade(wood, 0.85))
    for y in (-0.85, -0.55, -0.25):
        fill(image, frame, rect(-0.5, y, 0.5, y + 0.1), wood)
    fill(image, frame, np.array([(-0.65, 0.05), (0.65, 0.05), (0.75, 0.22), (-0.75, 0.22)]), wood)
    for x in (-0.7, 0.7):
        fill(image, frame, rect(x - 0.05, 0.2, x + 0.05, 0.9), shade(wood, 0.7))


def draw_table(image, frame, rng):
    wood = jitter(rng, pick(rng, [(150, 100, 60), (110, 75, 45), (210, 180, 140)]), 15)
    for x in (-0.8, 0.8):
        fill(image, frame, rect(x - 0.06, 0.0, x + 0.06, 0.9), shade(wood, 0.75))
    fill(image, frame, rect(-1.0, -0.1, 1.0, 0.05), wood)
    if rng.random() < 0.7:
        cup = any_color(rng)
        fill(image, frame, rect(-0.3, -0.4, -0.05, -0.1), cup)
        outline(image, frame, ellipse(0.0, -0.25, 0.08, 0.09), cup, 0.04)
        fill(image, frame, ellipse(0.4, -0.2, 0.25, 0.1), (245, 245, 240))


def draw_lamp(image, frame, rng):
    shade_colour = any_color(rng, saturation=(0.1, 0.7), value=(0.6, 1.0))
    fill(image, frame, ellipse(0, 0.85, 0.35, 0.08), DARK)
    stroke(image, frame, [(0, 0.85), (0, -0.3)], (180, 170, 150), 0.05)
    fill(image, frame, np.array([(-0.25, -0.9), (0.25, -0.9), (0.5, -0.3), (-0.5, -0.3)]), shade_colour)
    fill(image, frame, ellipse(0, -0.3, 0.5, 0.06), alpha((255, 250, 200), 160))


def draw_tree(image, frame, rng):
    fill(image, frame, np.array([(-0.1, 0.9), (-0.07, -0.1), (0.07, -0.1), (0.12, 0.9)]), (100, 70, 40))
    leaves = jitter(rng, (60, 130, 50), 30)
    for _ in range(9):
        fill(
            image,
            frame,
            ellipse(rng.uniform(-0.55, 0.55), rng.uniform(-0.75, -0.05), 0.35, 0.3),
            shade(leaves, rng.uniform(0.75, 1.15)),
        )


def draw_toys(image, frame, rng):
    """Balls and building blocks in bright colours."""
    for _ in range(int(rng.integers(3, 6))):
        x, y, r = rng.uniform(-0.7, 0.7), rng.uniform(-0.3, 0.7), rng.uniform(0.12, 0.3)
        colour = any_color(rng, saturation=(0.6, 1), value=(0.6, 1))
        if rng.random() < 0.5:
            fill(image, frame, ellipse(x, y, r, r), colour)
            stroke(image, frame, bezier((x - r, y), (x, y - r * 0.5), (x + r, y)), (250, 250, 250), 0.03)
        else:
            fill(image, frame, rect(x - r, y - r, x + r, y + r), colour)
            outline(image, frame, rect(x - r, y - r, x + r, y + r), shade(colour, 0.6), 0.03)


def draw_mug(image, frame, rng):
    colour = any_color(rng)
    outline(image, frame, ellipse(0.55, 0.1, 0.25, 0.3), colour, 0.12)
    fill(image, frame, rect(-0.55, -0.5, 0.55, 0.8), colour)
    fill(image, frame, ellipse(0, -0.5, 0.55, 0.12), shade(colour, 0.5))
    if rng.random() < 0.5:
        stroke(
            image, frame, bezier((-0.1, -0.7), (0.1, -0.9), (-0.1, -1.1)), alpha((250, 250, 250), 140), 0.05
        )


def draw_bicycle(image, frame, rng):
    colour = any_color(rng, saturation=(0.5, 1))
    for x in (-0.6, 0.6):
        outline(image, frame, ellipse(x, 0.45, 0.38, 0.38), DARK, 0.06)
    stroke(
        image, frame, [(-0.6, 0.45), (-0.1, 0.45), (0.35, -0.05), (-0.25, -0.05), (-0.6, 0.45)], colour, 0.06
    )
    stroke(image, frame, [(-0.1, 0.45), (-0.3, -0.2)], colour, 0.06)
    stroke(image, frame, [(0.6, 0.45), (0.4, -0.3), (0.25, -0.35)], colour, 0.06)
    fill(image, frame, ellipse(-0.3, -0.22, 0.14, 0.05), DARK)


THINGS = {
    "car": draw_car,
    "house": draw_house,
    "flowers": draw_flowers,
    "fruit": draw_fruit,
    "chair": draw_chair,
    "table": draw_table,
    "lamp": draw_lamp,
    "tree": draw_tree,
    "toys": draw_toys,
    "mug": draw_mug,
    "bicycle": draw_bicycle,
}

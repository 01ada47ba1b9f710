"""Animals that are not cats: floppy-eared dogs, cows, pigs, sheep, birds and fish."""

import numpy as np

from . import bodies
from .coats import Coat, paint_parts, patches
from .geometry import bezier, ellipse, tube
from .paint import fill, outline, stroke
from .palette import alpha, any_color, jitter, pick, shade

WHITE, BLACK = (238, 234, 226), (32, 30, 30)
DOG_COLOURS = [(150, 100, 60), (214, 170, 92), (90, 62, 40), (120, 118, 115), (225, 205, 170)]


def dog_coat(rng, size, frame):
    kind = pick(rng, ["plain", "plain", "spotted", "black-tan", "tricolour"])
    if kind == "plain":
        return Coat(jitter(rng, pick(rng, DOG_COLOURS + [BLACK]), 15))
    if kind == "spotted":
        return Coat(jitter(rng, WHITE, 8), layers=[(BLACK, patches(size, frame, rng, 30, 0.06), None)])
    if kind == "black-tan":
        tan = jitter(rng, (180, 120, 60), 15)
        return Coat(jitter(rng, BLACK, 8), roles=dict(muzzle=tan, paw=tan, leg=tan, chest=tan))
    brown = jitter(rng, (160, 100, 50), 15)
    return Coat(
        brown,
        roles=dict(muzzle=WHITE, chest=WHITE, paw=WHITE),
        layers=[(BLACK, patches(size, frame, rng, 2, 0.3), ("body",))],
    )


def dog_head(head, rng):
    """Parts of a dog's face: broad skull, long snout, ears hanging down the sides."""
    drop = rng.uniform(0.4, 0.8)
    parts = [(head, ellipse(0, 0, 0.82, 0.9), "head"), (head, ellipse(0, 0.5, 0.44, 0.36), "muzzle")]
    for side in (-1, 1):
        ear = ellipse(side * 0.82, 0.1 + drop * 0.3, 0.26, 0.45 + drop * 0.3, angle=side * rng.uniform(5, 25))
        parts.append((head, ear, "ear"))
    return parts


def dog_face(image, head, rng):
    for side in (-1, 1):
        fill(image, head, ellipse(side * 0.32, -0.12, 0.11, 0.12), (45, 28, 18))
        fill(image, head, ellipse(side * 0.32 + 0.03, -0.16, 0.035, 0.035), (245, 245, 245))
    fill(image, head, ellipse(0, 0.34, 0.18, 0.12), (20, 18, 18))
    stroke(image, head, [(0, 0.44), (0, 0.62)], (30, 20, 20), 0.04)
    if rng.random() < 0.5:
        fill(image, head, ellipse(0.05, 0.78, 0.12, 0.16), (215, 90, 100))
    for side in (-1, 1):
        stroke(
            image, head, bezier((0, 0.62), (side * 0.14, 0.72), (side * 0.3, 0.62), n=8), (30, 20, 20), 0.035
        )


def draw_dog(image, frame, rng, closeup=False):
    pose = "portrait" if closeup else pick(rng, ["sitting", "standing", "standing", "lying"])
    wag = [(0.6, -0.05), (0.8, -0.25), (0.9, -0.45), (0.95, -0.6)]
    tail = wag if pose == "standing" else None
    parts, head, _ = bodies.POSES[pose](
        frame, rng, legs=rng.uniform(1.1, 1.35), fat=rng.uniform(0.9, 1.2), tail=tail
    )
    coat = dog_coat(rng, image.size, frame)
    paint_parts(image, parts + dog_head(head, rng), coat)
    dog_face(image, head, rng)


def draw_cow(image, frame, rng):
    """Black-and-white or brown cow, standing, with horns and a pink muzzle."""
    parts, head, _ = bodies.standing(
        frame, rng, legs=1.0, fat=1.25, tail=[(0.68, -0.1), (0.8, 0.2), (0.78, 0.6)]
    )
    spots = pick(rng, [BLACK, (120, 70, 40)])
    coat = Coat(
        jitter(rng, WHITE, 8),
        roles=dict(muzzle=(230, 160, 160)),
        layers=[(spots, patches(image.size, frame, rng, 7, 0.22), None)],
    )
    head = head.sub(0.05, 0.2, 0.9)
    for side in (-1, 1):
        fill(
            image,
            head,
            tube(bezier((side * 0.3, -0.75), (side * 0.65, -0.9), (side * 0.6, -1.25)), 0.08, 0.03),
            (235, 225, 200),
        )
    face_parts = [(head, ellipse(side * 0.75, -0.5, 0.32, 0.14, angle=side * 15), "ear") for side in (-1, 1)]
    face_parts += [(head, ellipse(0, -0.1, 0.55, 0.8), "head"), (head, ellipse(0, 0.55, 0.5, 0.32), "muzzle")]
    paint_parts(image, parts + face_parts, coat)
    for side in (-1, 1):
        fill(image, head, ellipse(side * 0.3, -0.35, 0.09, 0.1), (20, 18, 18))
        fill(image, head, ellipse(side * 0.2, 0.55, 0.07, 0.09), (120, 60, 60))


def draw_pig(image, frame, rng):
    pink = jitter(rng, (238, 170, 170), 12)
    curl = [(0.65, -0.05), (0.9, -0.3), (0.75, -0.4), (0.8, -0.15)]
    parts, head, _ = bodies.standing(frame, rng, legs=0.6, fat=1.3, tail=curl)
    face_parts = [(head, ellipse(0, 0, 0.9, 0.8), "head")]
    face_parts += [
        (head, np.array([(s * 0.3, -0.6), (s * 0.95, -0.95), (s * 0.8, -0.2)]), "ear") for s in (-1, 1)
    ]
    face_parts.append((head, ellipse(0, 0.3, 0.36, 0.26), "muzzle"))
    paint_parts(image, parts + face_parts, Coat(pink, roles=dict(muzzle=shade(pink, 0.88))))
    for side in (-1, 1):
        fill(image, head, ellipse(side * 0.12, 0.3, 0.06, 0.1), shade(pink, 0.5))
        fill(image, head, ellipse(side * 0.38, -0.25, 0.08, 0.09), (25, 20, 20))


def draw_sheep(image, frame, rng):
    wool, skin = jitter(rng, (236, 232, 218), 10), jitter(rng, (40, 36, 34), 10)
    for x in (-0.45, -0.3, 0.35, 0.5):
        fill(image, frame, tube([(x, 0.1), (x, 0.78)], 0.06, 0.05), skin)
    for _ in range(16):
        cx, cy = rng.uniform(-0.6, 0.6), rng.uniform(-0.2, 0.35)
        blob = ellipse(cx, cy, 0.28, 0.24)
        fill(image, frame, blob, shade(wool, rng.uniform(0.85, 1.0)))
    head = frame.sub(-0.7, -0.25, 0.3, angle=rng.uniform(-20, 20))
    fill(image, head, ellipse(0, 0.1, 0.55, 0.85), skin)
    for side in (-1, 1):
        fill(image, head, ellipse(side * 0.7, -0.3, 0.35, 0.14, angle=side * 20), skin)
        fill(image, head, ellipse(side * 0.25, -0.1, 0.09, 0.09), (230, 220, 180))


def draw_bird(image, frame, rng):
    """Small perching bird with a beak, wing and tail, often on a branch."""
    body, belly = any_color(rng, value=(0.35, 0.9)), any_color(rng, saturation=(0.1, 0.8), value=(0.6, 1.0))
    if rng.random() < 0.6:
        fill(image, frame, tube([(-1.0, 0.72), (1.0, 0.62)], 0.07, 0.05), (95, 70, 45))
    for side in (-0.1, 0.12):
        stroke(image, frame, [(side, 0.45), (side, 0.68)], (90, 80, 60), 0.03)
    fill(image, frame, np.array([(0.35, 0.1), (0.95, 0.35), (0.85, 0.55)]), shade(body, 0.8))
    fill(image, frame, ellipse(0, 0.15, 0.5, 0.38, angle=-15), body)
    fill(image, frame, ellipse(-0.05, 0.3, 0.32, 0.22, angle=-15), belly)
    fill(image, frame, ellipse(0.15, 0.1, 0.35, 0.2, angle=20), shade(body, 0.75))
    fill(image, frame, ellipse(-0.42, -0.25, 0.27, 0.25), body)
    fill(
        image, frame, np.array([(-0.6, -0.3), (-0.95, -0.2), (-0.62, -0.15)]), jitter(rng, (235, 170, 40), 20)
    )
    fill(image, frame, ellipse(-0.5, -0.3, 0.06, 0.06), (15, 15, 15))


def draw_fish(image, frame, rng):
    """Fish with a tail fin, in a round glass bowl of water."""
    fill(image, frame, ellipse(0, 0.15, 0.85, 0.8), alpha((150, 200, 230), 150))
    fill(image, frame, ellipse(0, -0.55, 0.5, 0.1), alpha((120, 170, 200), 200))
    outline(image, frame, ellipse(0, 0.15, 0.85, 0.8), alpha((240, 250, 255), 200), 0.04)
    colour = pick(rng, [(240, 130, 30), (230, 200, 40), (200, 60, 60), (90, 150, 220)])
    fish = frame.sub(rng.uniform(-0.2, 0.2), rng.uniform(0, 0.3), 0.45, flip=rng.random() < 0.5)
    fill(image, fish, np.array([(0.7, 0), (1.2, -0.45), (1.2, 0.45)]), shade(colour, 0.85))
    fill(image, fish, ellipse(0, 0, 0.8, 0.45), colour)
    fill(image, fish, np.array([(-0.1, -0.4), (0.3, -0.75), (0.4, -0.35)]), shade(colour, 0.8))
    fill(image, fish, ellipse(-0.5, -0.08, 0.09, 0.09), (15, 15, 15))
    for _ in range(3):
        fill(
            image,
            frame,
            ellipse(rng.uniform(-0.4, 0.4), rng.uniform(-0.4, 0.2), 0.05, 0.05),
            alpha((240, 250, 255), 180),
        )


ANIMALS = {
    "dog": draw_dog,
    "cow": draw_cow,
    "pig": draw_pig,
    "sheep": draw_sheep,
    "bird": draw_bird,
    "fish": draw_fish,
}

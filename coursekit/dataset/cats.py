"""Cartoon cats: coats, a face with pointed ears, slit pupils and whiskers, on a body pose."""

import numpy as np

from . import bodies
from .coats import Coat, paint_parts, patches, stripes
from .geometry import bezier, ellipse
from .paint import fill, outline, stroke
from .palette import alpha, jitter, pick, shade

WHITE, BLACK = (238, 234, 226), (30, 28, 30)
GINGER, GREY, BROWN, CREAM = (206, 118, 52), (128, 128, 134), (132, 98, 64), (226, 198, 152)
EYES = [(120, 175, 60), (212, 182, 45), (204, 134, 40), (95, 155, 215), (160, 190, 70)]
COAT_WEIGHTS = {
    "ginger": 0.3,
    "tabby": 0.22,
    "grey": 0.1,
    "cream": 0.1,
    "black": 0.06,
    "white": 0.04,
    "tortie": 0.05,
    "calico": 0.05,
    "tuxedo": 0.03,
    "point": 0.03,
    "bicolour": 0.02,
}
BODY_ROLES = ("body", "chest", "leg", "leg_far", "tail")
POSES = ["sitting", "sitting", "loaf", "lying", "lying", "standing"]


def cat_coat(rng, size, frame, stripe_angle):
    """A random coat: solid, tabby, bicolour, tortoiseshell, calico, tuxedo or colour-point."""
    kind = rng.choice(list(COAT_WEIGHTS), p=list(COAT_WEIGHTS.values()))
    if kind in ("ginger", "grey", "tabby", "cream"):
        base = jitter(rng, {"ginger": GINGER, "grey": GREY, "tabby": BROWN, "cream": CREAM}[kind], 18)
        coat = Coat(base)
        if kind == "tabby" or rng.random() < 0.6:
            tabby = stripes(
                size,
                frame,
                rng,
                stripe_angle,
                spacing=rng.uniform(0.17, 0.27),
                width=rng.uniform(0.035, 0.06),
            )
            coat.marks = shade(base, rng.uniform(0.45, 0.7))
            coat.layers.append((coat.marks, tabby, BODY_ROLES))
        if rng.random() < 0.35:
            coat.roles.update(chest=WHITE, paw=WHITE, muzzle=WHITE)
        return coat
    if kind in ("black", "white"):
        return Coat(jitter(rng, BLACK if kind == "black" else WHITE, 10))
    if kind == "tortie":
        mottled = patches(size, frame, rng, count=int(rng.integers(12, 25)), radius=0.16)
        return Coat(jitter(rng, BLACK, 10), layers=[(jitter(rng, GINGER, 20), mottled, None)])
    if kind == "calico":
        coat = Coat(jitter(rng, WHITE, 8))
        coat.layers.append((jitter(rng, GINGER, 20), patches(size, frame, rng, 4, 0.35), None))
        coat.layers.append((jitter(rng, BLACK, 10), patches(size, frame, rng, 3, 0.28), None))
        return coat
    if kind == "tuxedo":
        return Coat(jitter(rng, BLACK, 10), roles=dict(chest=WHITE, paw=WHITE, muzzle=WHITE))
    if kind == "point":
        dark = jitter(rng, (78, 58, 45), 12)
        return Coat(
            jitter(rng, (232, 216, 190), 10), roles=dict(ear=dark, tail=dark, paw=dark, leg=dark, muzzle=dark)
        )
    base = jitter(rng, pick(rng, [GREY, BLACK, GINGER]), 15)
    return Coat(
        base,
        roles=dict(chest=WHITE, paw=WHITE, muzzle=WHITE),
        layers=[(WHITE, patches(size, frame, rng, 2, 0.3), None)],
    )


def head_parts(head, rng):
    """Ears, skull and cheek fluff of a cat's face, in a head frame of radius about 1."""
    tilt, height = rng.uniform(-0.15, 0.1), rng.uniform(1.3, 1.6)
    parts = []
    for side in (-1, 1):
        ear = np.array([(side * 0.98, -0.15), (side * (0.8 + tilt), -height), (side * 0.15, -0.72)])
        parts.append((head, ear, "ear"))
    parts.append((head, ellipse(0, 0, 1.0, 0.84), "head"))
    for side in (-1, 1):
        parts.append((head, ellipse(side * 0.48, 0.28, 0.58, 0.42), "head"))
        parts.append((head, ellipse(side * 0.16, 0.44, 0.21, 0.16), "muzzle"))
    return parts, tilt, height


def face(image, head, rng, coat, tilt, height):
    """Inner ears, almond eyes with slit pupils, nose, mouth, whiskers and tabby forehead marks."""
    dark_fur = sum(coat.color("head")) < 200
    for side in (-1, 1):
        inner = np.array([(side * 0.82, -0.28), (side * (0.78 + tilt), -height + 0.22), (side * 0.34, -0.7)])
        fill(image, head, inner, alpha((225, 145, 150) if not dark_fur else (120, 70, 75), 210))
    iris, pupil_width = pick(rng, EYES), rng.uniform(0.035, 0.12)
    for side in (-1, 1):
        x, y = side * 0.4, -0.06
        eye = ellipse(x, y, 0.21, 0.15, angle=side * 12)
        fill(image, head, eye, iris)
        fill(image, head, ellipse(x, y, pupil_width, 0.145), (10, 10, 12))
        fill(image, head, ellipse(x + 0.07, y - 0.06, 0.04, 0.04), (250, 250, 250))
        outline(image, head, eye, (15, 15, 15), 0.04)
    fill(
        image,
        head,
        [(-0.11, 0.27), (0.11, 0.27), (0, 0.39)],
        (214, 120, 128) if not dark_fur else (60, 40, 42),
    )
    mouth = (40, 30, 30) if not dark_fur else (150, 150, 150)
    stroke(image, head, [(0, 0.38), (0, 0.47)], mouth, 0.03)
    for side in (-1, 1):
        stroke(image, head, bezier((0, 0.47), (side * 0.08, 0.56), (side * 0.18, 0.5), n=8), mouth, 0.03)
    whisker = alpha((245, 245, 240) if sum(coat.color("muzzle")) < 500 else (70, 70, 70), 220)
    for side in (-1, 1):
        for end in (0.22, 0.42, 0.62):
            path = bezier(
                (side * 0.3, 0.44), (side * 0.8, end - 0.08), (side * 1.45, end + rng.uniform(-0.05, 0.1))
            )
            stroke(image, head, path, whisker, 0.025)
    if coat.marks:
        for x in (-0.22, 0, 0.22):
            stroke(image, head, [(x, -0.72), (x * 1.2, -0.4)], coat.marks, 0.07)
        for side in (-1, 1):
            for y in (0.12, 0.26):
                stroke(image, head, [(side * 0.98, y), (side * 0.68, y + 0.03)], coat.marks, 0.06)


def draw_cat(image, frame, rng, closeup=False):
    """Paint one cat in ``frame`` (figure about -1..1 on both axes); a close-up shows head and shoulders."""
    pose = "portrait" if closeup else pick(rng, POSES)
    parts, head, stripe_angle = bodies.POSES[pose](
        frame, rng, legs=rng.uniform(0.85, 1.05), fat=rng.uniform(0.85, 1.2)
    )
    coat = cat_coat(rng, image.size, frame, stripe_angle)
    more, tilt, height = head_parts(head, rng)
    paint_parts(image, parts + more, coat)
    face(image, head, rng, coat, tilt, height)

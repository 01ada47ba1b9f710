"""Render one small cat or non-cat picture: background, figure, clutter, lighting, noise.

Drawing happens at ``supersample`` times the final size and is downsampled with a Lanczos filter.
"""

import numpy as np
from PIL import Image, ImageFilter

from .animals import ANIMALS, draw_dog
from .cats import draw_cat
from .geometry import Frame
from .palette import pick
from .scenes import SCENES
from .things import THINGS

ANIMAL_NAMES = ["dog", "dog", "dog", "bird", "bird", "fish", "cow", "pig", "sheep"]
SMALL_THINGS = ["flowers", "lamp", "mug", "toys", "fruit", "chair", "tree"]
SCENE_WEIGHTS = {
    "room": 0.2,
    "sofa": 0.15,
    "garden": 0.15,
    "landscape": 0.15,
    "fabric": 0.1,
    "gradient": 0.15,
    "clutter": 0.1,
}
# Cat pictures are mostly face close-ups, framed alike, as in many photo collections.
CLOSEUP = {True: 0.65, False: 0.1}


def place(rng, size, ground, scale_range=(0.22, 0.45)):
    """A figure frame whose feet (local y = 0.9) rest in the ground band, mostly in view."""
    scale = size * rng.uniform(*scale_range)
    feet = max(size * rng.uniform(*ground), 2.0 * scale)  # keep the top (local y = -1.1) in view
    x = rng.uniform(0.75 * scale, size - 0.75 * scale)
    return Frame.at(x, feet - 0.9 * scale, scale, angle=rng.normal(0, 4), flip=rng.random() < 0.5)


def closeup_frame(rng, size):
    """Large frame for head-and-shoulders close-ups: ears in view, shoulders cut by the bottom edge."""
    scale = size * rng.uniform(0.4, 0.46)
    return Frame.at(
        size * rng.uniform(0.47, 0.53), size - scale * rng.uniform(0.8, 0.9), scale, angle=rng.normal(0, 2)
    )


def draw_subject(image, rng, is_cat, ground):
    """The main figure: a cat, or an animal, an object or nothing (bare scene) for non-cats."""
    size = image.width
    closeup = rng.random() < CLOSEUP[is_cat]
    if is_cat:
        frame = closeup_frame(rng, size) if closeup else place(rng, size, ground, (0.28, 0.48))
        draw_cat(image, frame, rng, closeup)
        return
    kind = rng.choice(["animal", "thing", "scene"], p=[0.45, 0.42, 0.13])
    if kind == "animal":
        name = pick(rng, ANIMAL_NAMES)
        if name == "dog":
            draw_dog(image, closeup_frame(rng, size) if closeup else place(rng, size, ground), rng, closeup)
        else:
            ANIMALS[name](image, place(rng, size, ground), rng)
    elif kind == "thing":
        THINGS[pick(rng, list(THINGS))](image, place(rng, size, ground, (0.25, 0.48)), rng)


def light(pixels, rng):
    """Brightness, contrast, colour cast and a directional light gradient on a float image."""
    size = pixels.shape[0]
    mean = pixels.mean()
    pixels = (pixels - mean) * rng.uniform(0.7, 1.3) + mean * rng.uniform(0.65, 1.3)
    pixels = pixels * rng.uniform(0.93, 1.07, size=3)
    y, x = np.mgrid[0:size, 0:size] / size - 0.5
    turn = rng.uniform(0, 2 * np.pi)
    ramp = 1 + rng.uniform(0, 0.5) * (x * np.cos(turn) + y * np.sin(turn))
    return pixels * ramp[..., None]


def render(rng, is_cat, size=64, supersample=3):
    """An RGB uint8 array (size, size, 3) of a random cat or non-cat picture."""
    big = size * supersample
    image = Image.new("RGB", (big, big))
    scene = rng.choice(list(SCENE_WEIGHTS), p=list(SCENE_WEIGHTS.values()))
    ground = SCENES[scene](image, Frame.at(0, 0, big), rng)
    for _ in range(int(rng.integers(0, 3))):
        THINGS[pick(rng, SMALL_THINGS)](image, place(rng, big, ground, (0.08, 0.2)), rng)
    draw_subject(image, rng, is_cat, ground)
    if rng.random() < 0.25:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.5) * supersample / 3))
    pixels = np.asarray(image.resize((size, size), Image.LANCZOS), dtype=float)
    pixels = light(pixels, rng) + rng.normal(0, rng.uniform(2, 14), size=pixels.shape)
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)

"""Colour helpers: RGB tuples of ints, random colours and small variations."""

import colorsys


def clip(color):
    """An (r, g, b[, a]) tuple of ints in 0..255."""
    return tuple(int(min(255, max(0, round(c)))) for c in color)


def shade(color, factor):
    """Darker (factor < 1) or brighter (factor > 1) version of a colour."""
    return clip([c * factor for c in color[:3]])


def mix(a, b, t):
    """Blend of colours a and b, t = 0 gives a, t = 1 gives b."""
    return clip([x + (y - x) * t for x, y in zip(a[:3], b[:3])])


def alpha(color, value):
    """The colour with an alpha channel, for blended drawing."""
    return clip(color[:3]) + (int(value),)


def jitter(rng, color, amount=20):
    """The colour with each channel moved by up to ``amount``."""
    return clip([c + rng.uniform(-amount, amount) for c in color[:3]])


def hsv(h, s, v):
    """Colour from hue, saturation, value in 0..1."""
    return clip([255 * c for c in colorsys.hsv_to_rgb(h % 1.0, s, v)])


def any_color(rng, saturation=(0.2, 0.9), value=(0.25, 0.95)):
    """A random colour of any hue."""
    return hsv(rng.random(), rng.uniform(*saturation), rng.uniform(*value))


def pick(rng, options):
    """One element of a list, chosen with the generator."""
    return options[int(rng.integers(len(options)))]

"""Four-legged body poses as (frame, points, role) parts, back to front, plus where the head goes.

Every pose fits a figure frame of about -1..1 on both axes, feet near y = 0.9. ``legs`` stretches
the legs, ``fat`` widens the body, ``tail`` is a list of control points or None for no tail.
"""

from .geometry import bezier, ellipse, tube


def sitting(frame, rng, legs=1.0, fat=1.0, tail=None):
    """Front view, sitting upright; tail curled round the feet or up the side."""
    tail = tail or [(0.3, 0.85), (0.2, 1.02), (-0.35, 1.0), (-0.62, 0.84)]
    parts = [(frame, tube(bezier(*tail), 0.08, 0.06), "tail")]
    for side in (-1, 1):
        parts.append((frame, ellipse(side * 0.36 * fat, 0.66, 0.3 * fat, 0.28), "body"))
    parts.append((frame, ellipse(0, 0.32, 0.42 * fat, 0.6), "body"))
    parts.append((frame, ellipse(0, 0.08, 0.24, 0.3), "chest"))
    top = 0.88 - 0.58 * legs
    for side in (-1, 1):
        parts.append((frame, tube([(side * 0.13, top), (side * 0.14, 0.86)], 0.09, 0.085), "leg"))
        parts.append((frame, ellipse(side * 0.15, 0.9, 0.12, 0.07), "paw"))
    head = frame.sub(0, top - 0.72, 0.45, angle=rng.uniform(-12, 12))
    return parts, head, 90


def loaf(frame, rng, legs=1.0, fat=1.0, tail=None):
    """Front view, crouching with the paws tucked in."""
    tail = tail or [(0.6, 0.75), (0.9, 0.95), (0.4, 1.0), (-0.3, 0.95)]
    parts = [(frame, tube(bezier(*tail), 0.08, 0.06), "tail")]
    parts.append((frame, ellipse(0, 0.55, 0.72 * fat, 0.4), "body"))
    parts.append((frame, ellipse(0, 0.45, 0.3, 0.25), "chest"))
    for side in (-1, 1):
        parts.append((frame, ellipse(side * 0.2, 0.88, 0.14, 0.08), "paw"))
    head = frame.sub(0, 0.05, 0.5, angle=rng.uniform(-15, 15))
    return parts, head, 90


def lying(frame, rng, legs=1.0, fat=1.0, tail=None):
    """Side view lying down, head up and facing us, front paws stretched forward."""
    tail = tail or [(0.85, 0.45), (1.15, 0.6), (1.0, 0.9), (0.5, 0.85)]
    parts = [(frame, tube(bezier(*tail), 0.08, 0.06), "tail")]
    parts.append((frame, tube([(-0.2, 0.55), (-0.55 - 0.3 * legs, 0.72)], 0.08, 0.075), "leg_far"))
    parts.append((frame, ellipse(0.2, 0.45, 0.72 * fat, 0.32), "body"))
    parts.append((frame, ellipse(0.62, 0.5, 0.32, 0.28), "body"))
    parts.append((frame, tube([(-0.3, 0.6), (-0.6 - 0.3 * legs, 0.8)], 0.085, 0.08), "leg"))
    parts.append((frame, ellipse(-0.66 - 0.3 * legs, 0.82, 0.13, 0.075), "paw"))
    head = frame.sub(-0.45, 0.05, 0.42, angle=rng.uniform(-18, 12))
    return parts, head, 0


def standing(frame, rng, legs=1.0, fat=1.0, tail=None):
    """Side view on four legs, head turned to face us."""
    tail = tail or [(0.62, -0.05), (0.95, -0.2), (0.85, -0.65), (1.0, -0.85)]
    top, foot = 0.1, 0.1 + 0.65 * legs
    parts = [(frame, tube(bezier(*tail), 0.07, 0.05), "tail")]
    for x in (0.42, -0.4):
        parts.append((frame, tube([(x, top), (x + 0.1, foot)], 0.075, 0.065), "leg_far"))
    parts.append((frame, ellipse(0.02, 0.05, 0.68 * fat, 0.28 * fat), "body"))
    for x in (0.55, -0.52):
        parts.append((frame, tube([(x, top), (x - 0.04, foot)], 0.08, 0.07), "leg"))
        parts.append((frame, ellipse(x - 0.08, foot + 0.02, 0.11, 0.06), "paw"))
    head = frame.sub(-0.62, -0.38, 0.4, angle=rng.uniform(-15, 15))
    return parts, head, 0


def portrait(frame, rng, legs=1.0, fat=1.0, tail=None):
    """Close-up of head and shoulders."""
    parts = [(frame, ellipse(0, 1.08, 1.0 * fat, 0.55), "body"), (frame, ellipse(0, 0.98, 0.4, 0.4), "chest")]
    head = frame.sub(0, 0.02, 0.74, angle=rng.uniform(-15, 15))
    return parts, head, 90


POSES = {"sitting": sitting, "loaf": loaf, "lying": lying, "standing": standing, "portrait": portrait}

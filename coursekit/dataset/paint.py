"""Draw point lists from geometry.py onto Pillow images through a Frame."""

from PIL import ImageDraw


def fill(image, frame, points, color):
    """Filled polygon; a 4-tuple colour blends with what is below."""
    ImageDraw.Draw(image, "RGBA").polygon(frame.map(points), fill=color)


def stroke(image, frame, points, color, width, closed=False):
    """Polyline ``width`` local units wide (at least one pixel)."""
    pixels = frame.map(points)
    if closed:
        pixels.append(pixels[0])
    px = max(1, round(width * frame.unit))
    ImageDraw.Draw(image, "RGBA").line(pixels, fill=color, width=px, joint="curve")


def outline(image, frame, points, color, width):
    """Closed outline of a polygon, ``width`` local units wide."""
    stroke(image, frame, points, color, width, closed=True)

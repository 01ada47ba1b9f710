"""Classify a picture of your own with the trained neuron."""

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, UnidentifiedImageError


def load_picture(path, num_px):
    """The picture at ``path`` as RGB pixels (num_px, num_px, 3), or None after saying why not."""
    try:
        with Image.open(path) as picture:
            return np.asarray(picture.convert("RGB").resize((num_px, num_px)))
    except FileNotFoundError:
        print(f"There is no file {path!r}. Put your picture in the folder of this notebook "
              "(or give its full path) and run the cell again.")
    except IsADirectoryError:
        print(f"{path!r} is a folder; give the name of a picture file inside it.")
    except (UnidentifiedImageError, OSError) as error:
        print(f"Could not read {path!r} as a picture ({error}). Use a PNG or JPEG file.")
    return None


def show_prediction(path, w, b, num_px, classes, predict):
    """Show the picture at ``path`` as the model sees it and print what ``predict`` says it is."""
    pixels = load_picture(path, num_px)
    if pixels is None:
        return
    column = pixels.reshape(1, -1).T / 255
    label = int(np.squeeze(predict(w, b, column)))
    name = classes[label].decode("utf-8")
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.imshow(pixels)
    ax.set_title(f"{num_px} x {num_px} pixels")
    ax.set_axis_off()
    print(f"y = {label}: the model thinks this is a {name} picture.")

"""Known mistakes of assignment 1, per graded function: the instructor's catalog.

``MISTAKES[function][name]`` holds ``says``, one whole sentence for the student (what is wrong and what to
change, never the fix in code), and ``code``, the wrong answer cell. The code holds solution text: this file
never travels to the release or to a student's kernel (see ``coursekit.grading.grader.mistakes``). ``CELLS`` names
the part a hidden test judges when its grade_id does not (``hidden_<part>``).
"""

MISTAKES = {
    "basic_sigmoid": {
        "sign": {
            "says": "It computes e to the power x in the denominator; the sigmoid divides 1 by 1 plus "
                    "e to the power -x.",
            "code": "def basic_sigmoid(x):\n    return 1 / (1 + math.exp(x))\n",
        },
        "precedence": {
            "says": "It divides 1 by 1 and then adds the exponential; put the whole denominator in parentheses.",
            "code": "def basic_sigmoid(x):\n    return 1 / 1 + math.exp(-x)\n",
        },
        "list": {
            "says": "It returns a list holding the number; return the number itself.",
            "code": "def basic_sigmoid(x):\n    return [1 / (1 + math.exp(-x))]\n",
        },
        "rounded": {
            "says": "It rounds the result; return the sigmoid with all its digits.",
            "code": "def basic_sigmoid(x):\n    return round(1 / (1 + math.exp(-x)), 4)\n",
        },
    },
    "sigmoid": {
        "math_exp": {
            "says": "It uses math.exp, which takes single numbers only; use NumPy's exponential, which "
                    "works on whole arrays.",
            "code": "def sigmoid(x):\n    return 1 / (1 + math.exp(-x))\n",
        },
        "sign": {
            "says": "It computes e to the power x in the denominator; the sigmoid divides 1 by 1 plus "
                    "e to the power -x.",
            "code": "def sigmoid(x):\n    return 1 / (1 + np.exp(x))\n",
        },
        "precedence": {
            "says": "It divides 1 by 1 and then adds the exponential; put the whole denominator in parentheses.",
            "code": "def sigmoid(x):\n    return 1 / 1 + np.exp(-x)\n",
        },
        "loop_over_rows": {
            "says": "It loops over the first axis with math.exp, which fails on arrays of two or more "
                    "dimensions; apply NumPy's exponential to the whole array at once.",
            "code": "def sigmoid(x):\n    return np.array([1 / (1 + math.exp(-v)) for v in x])\n",
        },
    },
    "sigmoid_derivative": {
        "forgot_sigmoid": {
            "says": "It uses x where it should use the sigmoid of x in both factors.",
            "code": "def sigmoid_derivative(x):\n    return x * (1 - x)\n",
        },
        "mixed_up": {
            "says": "Its second factor uses x; both factors should use the sigmoid of x.",
            "code": "def sigmoid_derivative(x):\n    return sigmoid(x) * (1 - x)\n",
        },
        "matrix_product": {
            "says": "It takes a matrix product of the two factors; multiply them entry by entry.",
            "code": "def sigmoid_derivative(x):\n    s = sigmoid(x)\n    return np.dot(s, 1 - s)\n",
        },
        "one_factor": {
            "says": "It keeps only the factor one minus the sigmoid; multiply it by the sigmoid too.",
            "code": "def sigmoid_derivative(x):\n    return 1 - sigmoid(x)\n",
        },
    },
    "image2vector": {
        "typed_size": {
            "says": "It reshapes to a size typed in for one image; compute the size from the image's own shape.",
            "code": "def image2vector(image):\n    return image.reshape(12, 1)\n",
        },
        "flat": {
            "says": "It returns a flat array; return a column with one row per entry.",
            "code": "def image2vector(image):\n    return image.reshape(-1)\n",
        },
        "row": {
            "says": "It returns a row; return a column with one row per entry.",
            "code": "def image2vector(image):\n    return image.reshape(1, -1)\n",
        },
        "fortran_order": {
            "says": "It reads the entries column by column (Fortran order); keep NumPy's default row order.",
            "code": "def image2vector(image):\n    return image.reshape(-1, 1, order='F')\n",
        },
    },
    "normalize_rows": {
        "column_norms": {
            "says": "It divides by the norms of the columns; divide each row by its own norm.",
            "code": "def normalize_rows(x):\n    return x / np.linalg.norm(x, axis=0, keepdims=True)\n",
        },
        "no_keepdims": {
            "says": "Its row norms lose their second axis, so they are matched with columns; keep "
                    "that axis so each row is divided by its own norm.",
            "code": "def normalize_rows(x):\n    return x / np.linalg.norm(x, axis=1)\n",
        },
        "no_square_root": {
            "says": "It divides by the sum of squares; the norm is the square root of that sum.",
            "code": "def normalize_rows(x):\n    return x / np.sum(x ** 2, axis=1, keepdims=True)\n",
        },
        "in_place": {
            "says": "It divides the array it is given in place; return a new array and leave the input unchanged.",
            "code": "def normalize_rows(x):\n    x /= np.linalg.norm(x, axis=1, keepdims=True)\n    return x\n",
        },
    },
    "softmax": {
        "column_sums": {
            "says": "It normalizes each column; each row should sum to 1 on its own.",
            "code": "def softmax(x):\n    e = np.exp(x)\n    return e / np.sum(e, axis=0, keepdims=True)\n",
        },
        "no_keepdims": {
            "says": "Its row sums lose their second axis, so they are matched with columns; keep that "
                    "axis so each row is divided by its own sum.",
            "code": "def softmax(x):\n    e = np.exp(x - np.max(x, axis=1, keepdims=True))\n    return "
                    "e / np.sum(e, axis=1)\n",
        },
        "no_exp": {
            "says": "It divides the scores by their sum without taking exponentials first.",
            "code": "def softmax(x):\n    return x / np.sum(x, axis=1, keepdims=True)\n",
        },
        "in_place_shift": {
            "says": "It subtracts the row maxima from the array it is given, in place; compute the "
                    "shifted scores as a new array and leave the input unchanged.",
            "code": "def softmax(x):\n    x -= np.max(x, axis=1, keepdims=True)\n    e = np.exp(x)\n"
                    "    return e / np.sum(e, axis=1, keepdims=True)\n",
        },
    },
    "L1": {
        "no_abs": {
            "says": "It sums the differences themselves, so errors of opposite signs cancel; sum their "
                    "absolute values.",
            "code": "def L1(yhat, y):\n    return np.sum(yhat - y)\n",
        },
        "mean": {
            "says": "It averages the absolute differences; the L1 loss is their sum.",
            "code": "def L1(yhat, y):\n    return np.mean(np.abs(yhat - y))\n",
        },
        "abs_outside": {
            "says": "It takes the absolute value of the summed differences; sum the absolute value of each difference.",
            "code": "def L1(yhat, y):\n    return abs(np.sum(yhat - y))\n",
        },
        "array": {
            "says": "It returns one absolute difference per entry; return their sum, one number.",
            "code": "def L1(yhat, y):\n    return np.abs(yhat - y)\n",
        },
    },
    "L2": {
        "square_root": {
            "says": "It takes the square root of the sum of squares; the L2 loss here is the sum of squares itself.",
            "code": "def L2(yhat, y):\n    return np.sqrt(np.sum((yhat - y) ** 2))\n",
        },
        "mean": {
            "says": "It averages the squared differences; the L2 loss is their sum.",
            "code": "def L2(yhat, y):\n    return np.mean((yhat - y) ** 2)\n",
        },
        "absolute": {
            "says": "It sums absolute differences; square each difference instead.",
            "code": "def L2(yhat, y):\n    return np.sum(np.abs(yhat - y))\n",
        },
        "array": {
            "says": "It returns one squared difference per entry; return their sum, one number.",
            "code": "def L2(yhat, y):\n    return (yhat - y) ** 2\n",
        },
    },
}

CELLS = {"hidden_softmax_stability": "softmax"}

# The answers each part calls: while the part's tests run at grading, the course's version stands in for them
# (coursekit.grading.grader.course_versions), so a mistake in one costs its own points only.
USES = {"sigmoid_derivative": ("sigmoid",)}

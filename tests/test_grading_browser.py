"""Nothing a student wrote runs in the instructor's browser: the Formgrader and feedback, in real Chromium.

A hostile submission plants scripts, event handlers, ``javascript:`` links in many spellings,
SVG, iframe, MathJax and form tricks in Markdown cells and in its outputs (rich outputs, and
IOPub messages it forges itself). It is graded, its feedback is generated, and both the
feedback file and the Formgrader's submission view (a local Jupyter server with nbgrader's
extension) are opened in Debian's chromium through Playwright: every payload calls ``alert``,
so a dialog means a script ran; every link is clicked. Controls show the same payloads do run
on pages made without the course's cleaning, so the test can fail.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, browser_skip_reason
from nbconvert import HTMLExporter
from nbgrader.api import Gradebook

from coursekit.grading.batch import course as nbgrader_ops
from coursekit.grading.batch.harness import TempCourse
from coursekit.grading.grader.safe_html import FORMGRADER_CSP
from coursekit.submissions import fill_answers

TOY_SOURCE = Path(__file__).parent / "fixtures" / "toy_course" / "source"

MARKDOWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)></svg>",
    "<svg><script>alert(4)</script></svg>",
    "[a](javascript:alert(5))",
    "[b](java&#115;cript:alert(6))",
    "[c](javascript&#58;alert(7))",
    "[d](JaVaScRiPt&colon;alert(8))",
    '<a href="&#106;&#97;vascript:alert(9)">e</a>',
    '<a href="java&#x09;script:alert(10)">f</a>',
    '<a href="java\nscript:alert(11)">g</a>',
    '<a href=" &#x20;javascript:alert(12)">h</a>',
    "<iframe src=\"javascript:alert(13)\"></iframe>",
    "<iframe srcdoc=\"<script>parent.alert(14)</script>\"></iframe>",
    '<svg><a xlink:href="javascript:alert(15)"><text x="10" y="20">i</text></a></svg>',
    '<object data="javascript:alert(16)"></object><embed src="javascript:alert(17)">',
    '<form action="javascript:alert(18)"><button id="hostile-submit">j</button></form>',
    "<details open ontoggle=alert(19)><summary>k</summary></details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(20)></style></mglyph></table></mtext></math>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(21)">',
    "$\\href{javascript:alert(22)}{l}$",
    "<div style=\"background:url(javascript:alert(23))\" onmouseover=alert(24)>m</div>",
    "[n]: javascript:alert(25)\n\n[o][n]",
    "<a href='data:text/html,<script>alert(26)</script>'>p</a>",
]
OUTPUT_PAYLOAD = '''
from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML("<script>alert(31)</script><b onmouseover=alert(32)>x</b>"))
display(Javascript("alert(33)"))
display({"text/html": "<img src=x onerror=alert(34)>", "image/png": 'x" onerror="alert(35)',
         "image/svg+xml": "<svg onload=alert(36)></svg>"}, raw=True)
display(Markdown("<img src=x onerror=alert(37)>"))
kernel = get_ipython().kernel
for kind, content in [("stream", {"name": "<img src=x onerror=alert(38)>", "text": "y"}),
                      ("execute_result", {"data": {"text/plain": "z"}, "metadata": {},
                                          "execution_count": "<img src=x onerror=alert(39)>"})]:
    kernel.session.send(kernel.iopub_socket, kind, content, parent=kernel.get_parent())
print("a line of output longer than the page is wide; " * 8)
def double(x):
    return 2 * x
'''


pytestmark = pytest.mark.skipif(browser_skip_reason() is not None, reason=browser_skip_reason() or "")


def hostile_notebook(release):
    notebook = fill_answers(release, {"answer_double": OUTPUT_PAYLOAD})
    notebook.cells += [nbformat.v4.new_markdown_cell(payload) for payload in MARKDOWN_PAYLOADS]
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A toy course with the hostile student and a control student graded, feedback generated."""
    course = TempCourse(tmp_path_factory.mktemp("browser"), ["toy"], source_dir=TOY_SOURCE, cell_timeout=10)
    release = course.release_notebook("toy")
    hostile = hostile_notebook(release)
    result = course.autograde("toy", {"hostile": hostile, "control": release}, workers=1)
    assert result.statuses == {"hostile": "graded", "control": "graded"}
    nbgrader_ops.generate_feedback(course.config, "toy", "hostile")
    # the control: the hostile notebook as the Formgrader would show it without the course's cleaning
    control = course.root / "autograded" / "control" / "toy" / "toy.ipynb"
    nbformat.write(hostile, control)
    return course, hostile


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def visit(browser, url):
    """Open ``url``, move over and click every element and link; the alerts that fired and the page's links."""
    page = browser.new_page()
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(500)
    links = page.evaluate("() => Array.from(document.querySelectorAll('a[href], area[href]')).map(a => a.href)")
    for element in page.query_selector_all(".text_cell_render *, .output_area *, a"):
        try:
            element.hover(timeout=300)
            element.click(timeout=300, no_wait_after=True)
        except Exception:  # noqa: BLE001 (hidden or detached elements cannot be clicked; the rest can)
            pass
        if page.url.split("#")[0] != url.split("#")[0]:
            page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    page.close()
    return alerts, links


def script_links(links):
    return [link for link in links if link.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))]


def test_feedback_page_runs_nothing_a_student_wrote(graded, browser, tmp_path):
    course, hostile = graded
    (page,) = (course.root / "feedback" / "hostile" / "toy").glob("*.html")
    text = page.read_text()
    assert 'http-equiv="Content-Security-Policy"' in text
    assert "alert(31)" in text  # a rich output is shown, as text
    alerts, links = visit(browser, page.as_uri())
    assert alerts == []
    assert script_links(links) == []
    # control: the same notebook as plain nbconvert renders it runs the payloads
    control = tmp_path / "control.html"
    control.write_text(HTMLExporter(template_name="classic").from_notebook_node(hostile)[0])
    control_alerts, control_links = visit(browser, control.as_uri())
    assert len(set(control_alerts)) >= 3 and script_links(control_links)


def test_long_lines_of_feedback_wrap_inside_the_page(graded, browser):
    """A long line of output or of a test's message wraps, as the student reads it, instead of running past the
    page's right edge (nbconvert's style scrolls it sideways)."""
    course, _ = graded
    (page,) = (course.root / "feedback" / "hostile" / "toy").glob("*.html")
    tab = browser.new_page(viewport={"width": 700, "height": 800})
    tab.goto(page.as_uri(), wait_until="load")
    long_lines, cut = tab.evaluate("""() => {
        const blocks = Array.from(document.querySelectorAll('.output_area pre'));
        return [blocks.filter(p => p.textContent.split('\\n').some(line => line.length > 120)).length,
                blocks.filter(p => p.scrollWidth > p.clientWidth + 1).length];
    }""")
    tab.close()
    assert long_lines >= 1 and cut == 0


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def formgrader(graded):
    """A local Jupyter server on the course with nbgrader's Formgrader, as an instructor runs it."""
    course, _ = graded
    port, token = free_port(), "coursekit-browser-test"
    settings = json.dumps({"headers": {"Content-Security-Policy": FORMGRADER_CSP}})
    command = [sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--ServerApp.root_dir={course.root}", f"--IdentityProvider.token={token}",
               f"--ServerApp.tornado_settings={settings}", "--allow-root"]
    log = open(course.root.parent / "server.log", "w")
    server = subprocess.Popen(command, cwd=course.root, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "JUPYTER_CONFIG_DIR": str(course.root.parent / "jupyter-config")})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"the Jupyter server did not start: {(course.root.parent / 'server.log').read_text()}")
                time.sleep(0.3)
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
        shutil.rmtree(course.root / ".ipynb_checkpoints", ignore_errors=True)


def submission_url(graded, formgrader, student):
    course, _ = graded
    base, token = formgrader
    with Gradebook(course.db_url) as gb:
        notebook_id = gb.find_submission_notebook("toy", "toy", student).id
    return f"{base}/formgrader/submissions/{notebook_id}/?token={token}"


def test_formgrader_runs_nothing_a_student_wrote(graded, formgrader, browser):
    url = submission_url(graded, formgrader, "hostile")
    page = browser.new_page()
    page.goto(url, wait_until="load")
    assert page.locator("input.score").count() >= 1  # the Formgrader's page itself works
    assert "alert(31)" in page.content()
    page.close()
    alerts, links = visit(browser, url)
    assert alerts == []
    assert script_links(links) == []


def test_formgrader_without_cleaning_runs_the_payloads(graded, formgrader, browser):
    alerts, links = visit(browser, submission_url(graded, formgrader, "control"))
    assert len(set(alerts)) >= 3 and script_links(links)

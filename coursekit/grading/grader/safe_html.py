"""HTML a student wrote, made inert before an instructor's page shows it (nh3, the Ammonia sanitizer).

A student's Markdown is rendered as nbconvert renders it, then cleaned by an allow-list: text
formatting, lists, tables, code and links to http(s) and mailto only. Scripts, styles, event
handlers, SVG, iframes, forms, images and every other URL scheme are removed, however they are
spelled (Ammonia parses the HTML as a browser does, entities and whitespace included). The
result is one line of HTML inside a block that MathJax skips, so that rendering it again as
Markdown (the Formgrader and the feedback page do) changes nothing.
"""

import nh3
from nbconvert.filters.markdown_mistune import markdown2html_mistune

TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table",
        "tbody", "td", "th", "thead", "tr", "ul"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
WRAPPER = '<div class="tex2jax_ignore coursekit-student-text">{}</div>'  # MathJax leaves it alone

# The feedback page is a static file: no script runs in it, nothing loads from elsewhere.
FEEDBACK_CSP = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                "font-src data:; base-uri 'none'; form-action 'none'")
# The Formgrader's own pages need its inline scripts; what a page may load, embed or submit is still limited.
FORMGRADER_CSP = ("object-src 'none'; frame-src 'self'; base-uri 'self'; form-action 'self'; "
                  "frame-ancestors 'self'")


def clean(html):
    """``html`` with everything but the allow-listed tags, attributes and URL schemes removed."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     clean_content_tags={"script", "style"}, strip_comments=True,
                     link_rel="noopener noreferrer nofollow")


def student_markdown(source):
    """A student's Markdown as inert HTML, on one line (newlines as character references)."""
    return WRAPPER.format(clean(markdown2html_mistune(source)).replace("\r", "").replace("\n", "&#10;"))

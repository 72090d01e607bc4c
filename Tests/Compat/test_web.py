"""The web view in a real browser: headless Chromium against the node with workers.

Makes real composes (a repo compose from an RPM built with rpmbuild, one that reuses it,
and one with markup in its package list), then loads the compose list, a compose's
page, the nodes page and the `/composes/` listings in Chromium over the DevTools protocol:
no console errors, no failed loads (a favicon 404 counts), every link answers 200, no
script in any page, and screenshots of the list and a detail page that are real pictures.
The PNGs stay in ODCS_WEB_ARTIFACTS (scripts/test: .build/test-artifacts/web).
"""

import os
import tempfile
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from chromium import Chromium, chromium_binary
from odcs.client.odcs import ODCS, AuthMech
from compat_helpers import fixture_rpm_repo

MARKUP = "<script>alert('xss')</script>"


@pytest.fixture(scope="module")
def node():
    url = os.environ.get("ODCS_GEN_URL")
    work = os.environ.get("ODCS_GEN_WORK")
    if not (url and work):
        pytest.skip("ODCS_GEN_URL/ODCS_GEN_WORK not set (scripts/test sets them)")
    if chromium_binary() is None:
        pytest.fail("chromium is not installed (scripts/install-deps.sh installs it)")
    return url.rstrip("/"), work


@pytest.fixture(scope="module")
def artifacts():
    directory = os.environ.get("ODCS_WEB_ARTIFACTS") or tempfile.mkdtemp(prefix="odcs-web-")
    os.makedirs(directory, exist_ok=True)
    return directory


@pytest.fixture(scope="module")
def composes(node):
    """A done compose, one that reused it, and one whose package list holds markup."""
    url, work = node
    repo = fixture_rpm_repo(work, "odcs-web-hello", version="2.0")

    client = ODCS(url + "/", auth_mech=AuthMech.Anonymous)
    done = client.wait_for_compose(client.new_compose(repo, "repo")["id"], timeout=300)
    assert done["state_name"] == "done", done["state_reason"]
    reused = client.wait_for_compose(client.new_compose(repo, "repo")["id"], timeout=300)
    assert reused["state_name"] == "done", reused["state_reason"]
    # Package names are the one input that may hold markup (upstream's exemption from its
    # character check): stored as given, then shown on the compose's page as text.
    markup = client.new_compose(repo, "repo", packages=[MARKUP])
    markup = client.wait_for_compose(markup["id"], timeout=300)
    assert markup["state_name"] in ("done", "failed"), markup
    return {"done": done, "reused": reused, "markup": markup}


def check_links(page, seen):
    """Every link of the page answers 200 (redirects followed); returns the failures."""
    failures = []
    for link in page.links:
        target = link.split("#", 1)[0]
        if urlsplit(target).scheme not in ("http", "https") or target in seen:
            continue
        response = requests.get(target, timeout=60, stream=True)
        response.close()
        seen[target] = response.status_code
        if response.status_code != 200:
            failures.append("%s -> %s (on %s)" % (target, response.status_code, page.url))
    return failures


def check_screenshot(path):
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width >= 800 and height >= 600, (width, height)
        colors = image.convert("RGB").getcolors(maxcolors=1 << 20)
        # Text, table rules, the header bar and the state colours: far more than a blank page.
        assert colors is not None and len(colors) >= 32, "only %s colours in %s" % (len(colors or []), path)
        most = max(count for count, _ in colors)
        assert most < width * height * 0.97, "%s is almost one colour" % path


def test_web_pages_in_chromium(node, composes, artifacts):
    url, _ = node
    done, reused, markup = composes["done"], composes["reused"], composes["markup"]
    seen = {}
    failures = []
    with Chromium(artifacts) as browser:
        listing = browser.open(url + "/")
        assert listing.problems == []
        assert listing.title == "Composes"
        for compose in (done, reused, markup):
            assert urljoin(url + "/", "/ui/composes/%d" % compose["id"]) in listing.links
        assert browser.evaluate("document.scripts.length") == 0
        check_screenshot(browser.screenshot(os.path.join(artifacts, "compose-list.png")))
        failures += check_links(listing, seen)

        filtered = browser.open(url + "/?state=done&source_type=repo&per_page=200")
        assert filtered.problems == []
        assert urljoin(url + "/", "/ui/composes/%d" % done["id"]) in filtered.links
        removed = browser.open(url + "/?state=removed&per_page=200")
        assert removed.problems == []
        assert urljoin(url + "/", "/ui/composes/%d" % done["id"]) not in removed.links

        detail = browser.open(url + "/ui/composes/%d" % done["id"])
        assert detail.problems == []
        name = "odcs-%d" % done["id"]
        expected = [
            url + "/api/1/composes/%d" % done["id"],
            url + "/composes/%s/" % name,
            done["result_repo"] + "/",
            done["result_repofile"],
        ]
        for link in expected:
            assert link in detail.links, link
        logs = [link for link in detail.links if link.endswith(".log")]
        assert any("/logs/" in link for link in logs), detail.links
        check_screenshot(browser.screenshot(os.path.join(artifacts, "compose-detail.png")))
        failures += check_links(detail, seen)

        # The reusing compose points at the files of the compose it reused.
        again = browser.open(url + "/ui/composes/%d" % reused["id"])
        assert again.problems == []
        assert url + "/composes/%s/" % name in again.links
        failures += check_links(again, seen)

        # The markup is shown as text, not run: the page has no script and no console output.
        marked = browser.open(url + "/ui/composes/%d" % markup["id"])
        assert marked.problems == []
        assert MARKUP in browser.evaluate("document.body.innerText")
        assert browser.evaluate("document.scripts.length") == 0
        failures += check_links(marked, seen)

        nodes = browser.open(url + "/ui/nodes")
        assert nodes.problems == []
        assert "gen-node" in browser.evaluate("document.body.innerText")
        failures += check_links(nodes, seen)

        for path in ("/composes/", "/composes/%s/" % name, "/composes/%s/logs/" % name):
            files = browser.open(url + path)
            assert files.problems == [], path
            failures += check_links(files, seen)

        # A page that does not exist is an HTML page with a 404, not a broken one.
        missing = browser.open(url + "/ui/composes/99999999")
        assert missing.responses.get(url + "/ui/composes/99999999") == 404

    assert failures == []
    # The repo file and a log are served as text, the repodata as XML.
    repofile = requests.get(done["result_repofile"], timeout=60)
    assert repofile.headers["Content-Type"].startswith("text/plain")
    assert repofile.text.startswith("[%s]" % name)
    assert requests.get(logs[0], timeout=60).headers["Content-Type"].startswith("text/plain")
    repomd = requests.get(done["result_repo"] + "/x86_64/os/repodata/repomd.xml", timeout=60)
    assert repomd.status_code == 200 and repomd.headers["Content-Type"] == "application/xml"
    # No page of the web view carries a script: it works without JavaScript.
    for page in [url + "/", url + "/ui/composes/%d" % done["id"], url + "/ui/nodes", url + "/composes/"]:
        assert "<script" not in requests.get(page, timeout=60).text.lower(), page

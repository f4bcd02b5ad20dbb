"""Screenshots of pages for docs/screenshots/, taken in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 docs/screenshots [--login USER]

Takes each page in PAGES (path, file name, viewport width, 长辈版 or not).
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bangban.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = [
    ("/", "home.png", 1280, False),
    ("/", "home-phone-elder.png", 390, True),
    ("/items/", "catalogue.png", 1280, False),
    ("/items/bundles/KYFD/", "bundle.png", 1280, False),
    ("/disclosure/C01/", "disclosure.png", 1280, False),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("out")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path, name, width, elder in PAGES:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            if elder:
                context.add_cookies([{"name": "elder", "value": "1", "url": args.base}])
            page = context.new_page()
            page.goto(args.base + path)
            page.screenshot(path=str(out / name), full_page=width < 600)
            context.close()
            print(out / name)
        browser.close()


if __name__ == "__main__":
    main()

"""Drives Debian's chromium through `tally serve`'s pages with Selenium, for BrowserTests.swift.

    python browser.py SCENARIO BASE-URL SCREENSHOT-DIR [JSON-ARGUMENTS]

Prints one JSON object of what it saw; the Swift test asserts on it and checks the repository
with git. Every page visited is saved as a PNG in SCREENSHOT-DIR for people to look at.
CHROMEDRIVER names the driver (scripts/browser.sh finds it); chromium is /usr/bin/chromium
unless CHROMIUM says otherwise.
"""
import json
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


class Browser:
    def __init__(self, base, shots):
        options = Options()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                         "--lang=zh-CN", "--disable-gpu"]:
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(os.environ["CHROMEDRIVER"]), options=options)
        self.driver.set_page_load_timeout(30)
        self.base = base.rstrip("/")
        self.shots = shots
        os.makedirs(shots, exist_ok=True)

    def open(self, path):
        self.driver.get(self.base + path)

    def shot(self, name):
        time.sleep(0.2)
        self.driver.save_screenshot(os.path.join(self.shots, name + ".png"))

    def js(self, script, *arguments):
        return self.driver.execute_script(script, *arguments)

    def status_of(self, method, path, body=None):
        """The status of a request made from the page (same origin, the page's cookies)."""
        return self.driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {method: arguments[1], body: arguments[2],"
            " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, redirect: 'manual'})"
            ".then(function (r) { done(r.status); }, function (e) { done(String(e)); });",
            path, method, body)

    def alert_shown(self):
        try:
            self.driver.switch_to.alert
            return True
        except NoAlertPresentException:
            return False

    def commit_shown(self):
        return self.js("var m = document.querySelector('meta[name=\"tally-commit\"]');"
                       "return m ? m.getAttribute('content') : null;")

    def overflows(self):
        """True when the page itself scrolls sideways (tables scroll in their own boxes)."""
        return self.js("return document.documentElement.scrollWidth > window.innerWidth + 1;")

    def errors(self):
        return [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def quit(self):
        self.driver.quit()


def browse(b, args):
    """View only: the dashboard, a link to a customer, a report with its period picker, search,
    a rep's day at a phone's width, hostile text, a POST refused, and the live refresh."""
    seen = {}
    b.open("/")
    b.shot("dashboard")
    seen["dashboard_title"] = b.driver.title
    seen["dashboard_commit"] = b.commit_shown()
    links = b.driver.find_elements(By.CSS_SELECTOR, "main a[href^='/customer/C-']")
    seen["dashboard_customer_links"] = len(links)
    if links:
        target = links[0].get_attribute("href")
        links[0].click()
        WebDriverWait(b.driver, 10).until(lambda d: d.current_url == target)
        b.shot("customer")
        seen["customer_url"] = b.driver.current_url
        seen["customer_h1"] = b.driver.find_element(By.TAG_NAME, "h1").text
    b.open("/reports/plan")
    field = b.driver.find_element(By.NAME, "period")
    field.clear()
    field.send_keys(args["period"])
    field.submit()
    WebDriverWait(b.driver, 10).until(lambda d: "period=" in d.current_url)
    b.shot("report-plan")
    seen["report_url"] = b.driver.current_url
    seen["report_h1"] = b.driver.find_element(By.TAG_NAME, "h1").text
    b.open("/search?q=" + args["search"])
    b.shot("search")
    seen["search_links"] = [a.get_attribute("href") for a in
                            b.driver.find_elements(By.CSS_SELECTOR, "main a[href^='/customer/']")]
    b.open("/customer/" + args["hostile"])
    b.shot("hostile")
    seen["hostile_alert"] = b.alert_shown()
    seen["hostile_pwned"] = b.js("return window.tallyPwned || null;")
    seen["hostile_text"] = b.driver.find_element(By.TAG_NAME, "main").text
    seen["post_status"] = b.status_of("POST", "/customer/" + args["hostile"] + "/edit", "name=x")
    b.driver.set_window_size(390, 844)
    b.open("/me?staff=" + args["rep"])
    b.shot("me-phone")
    seen["me_overflows"] = b.overflows()
    b.open("/reports/followups")
    b.shot("report-phone")
    seen["report_overflows"] = b.overflows()
    b.open("/customer/" + args["customer"])
    b.shot("customer-phone")
    seen["customer_overflows"] = b.overflows()
    # The live refresh: a commit lands while the page is open; the page reloads by itself.
    before = b.commit_shown()
    subprocess.run(args["commit_command"], shell=True, check=True)
    try:
        WebDriverWait(b.driver, 10).until(lambda d: b.commit_shown() not in (None, before))
        seen["live_refreshed"] = True
    except TimeoutException:
        seen["live_refreshed"] = False
    seen["commit_after_live"] = b.commit_shown()
    seen["console_errors"] = [e for e in b.errors() if "status of 405" not in e]
    return seen


def save(b, name):
    """Submits the page's edit form and waits for the next page."""
    old = b.driver.find_element(By.CSS_SELECTOR, "form.edit")
    old.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(b.driver, 20).until(lambda d: _stale(old))
    b.shot(name)


def _stale(element):
    try:
        element.is_enabled()
        return False
    except Exception:  # noqa: BLE001 - a stale element is the page having changed
        return True


def page_text(b):
    return b.driver.find_element(By.TAG_NAME, "main").text


def edit(b, args):
    """--allow commit, signed in as a rep: the dashboard, a link to one of the rep's customers,
    a follow-up added through the form; stale forms merged and in conflict; an invalid date; a
    change the policy denies; a POST without a CSRF token; the form at a phone's width."""
    seen = {}
    customer = args["customer"]
    b.open("/")
    b.shot("dashboard")
    b.open("/me")
    b.shot("me")
    link = b.driver.find_element(By.CSS_SELECTOR, "main a[href='/customer/%s']" % customer)
    link.click()
    WebDriverWait(b.driver, 10).until(lambda d: d.current_url.endswith("/customer/" + customer))
    b.shot("customer")
    # A follow-up, one-handed: the form's defaults (today, the rep) stand; two selects and a line.
    b.driver.find_element(By.CSS_SELECTOR, "a[href='/customer/%s/add/follow_ups']" % customer).click()
    WebDriverWait(b.driver, 10).until(lambda d: "/add/follow_ups" in d.current_url)
    b.driver.set_window_size(390, 844)
    b.shot("add-follow-up-phone")
    seen["form_overflows"] = b.overflows()
    b.driver.set_window_size(1280, 900)
    seen["default_date"] = b.driver.find_element(By.NAME, "f.date").get_attribute("value")
    Select(b.driver.find_element(By.NAME, "f.channel")).select_by_value("phone")
    Select(b.driver.find_element(By.NAME, "f.outcome")).select_by_value("interested")
    b.driver.find_element(By.NAME, "f.summary").send_keys(args["summary"])
    save(b, "follow-up-saved")
    seen["after_add_url"] = b.driver.current_url
    seen["after_add_text"] = page_text(b)

    # A stale form that edits another field than the one changed meanwhile: merged.
    b.open("/customer/%s/edit" % customer)
    subprocess.run(args["change_other"], shell=True, check=True)
    field = b.driver.find_element(By.NAME, "f.needs")
    field.clear()
    field.send_keys(args["needs"])
    save(b, "stale-merged")
    seen["merged_url"] = b.driver.current_url
    seen["merged_live_notice"] = None

    # A stale form that edits the field changed meanwhile: 409, a chooser, then resolved.
    b.open("/customer/%s/edit" % customer)
    subprocess.run(args["change_same"], shell=True, check=True)
    field = b.driver.find_element(By.NAME, "f.name")
    field.clear()
    field.send_keys(args["name"])
    save(b, "conflict-409")
    seen["conflict_text"] = page_text(b)
    seen["conflict_choices"] = [r.get_attribute("value") for r in
                                b.driver.find_elements(By.CSS_SELECTOR, "input[type=radio]")]
    save(b, "conflict-resolved")
    seen["resolved_url"] = b.driver.current_url

    # An invalid date, as a browser without date inputs would send it: 422, the values kept.
    b.open("/customer/%s/add/follow_ups" % customer)
    b.js("var d = document.getElementsByName('f.date')[0]; d.type = 'text'; d.value = '2026-02-30';")
    Select(b.driver.find_element(By.NAME, "f.channel")).select_by_value("sms")
    b.driver.find_element(By.NAME, "f.summary").send_keys(args["invalid_summary"])
    save(b, "invalid-422")
    seen["invalid_text"] = page_text(b)
    seen["invalid_summary_kept"] = b.driver.find_element(By.NAME, "f.summary").get_attribute("value")
    seen["invalid_date_kept"] = b.driver.find_element(By.NAME, "f.date").get_attribute("value")

    # A field the policy does not let a rep change: 403, naming the rule.
    b.open("/customer/%s/edit" % customer)
    Select(b.driver.find_element(By.NAME, "f.tier")).select_by_value(args["tier"])
    save(b, "policy-403")
    seen["policy_text"] = page_text(b)

    # A POST without the form's token changes nothing.
    seen["no_token_status"] = b.status_of("POST", "/customer/%s/edit" % customer, "f.needs=x&commit=" + "0" * 40)
    seen["console_errors"] = [e for e in b.errors() if "status of 4" not in e]
    return seen


SCENARIOS = {"browse": browse, "edit": edit}

if __name__ == "__main__":
    scenario, base, shots = sys.argv[1], sys.argv[2], sys.argv[3]
    arguments = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    browser = Browser(base, shots)
    try:
        result = SCENARIOS[scenario](browser, arguments)
    finally:
        browser.quit()
    print(json.dumps(result, ensure_ascii=False))

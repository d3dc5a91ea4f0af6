//! A chromedriver per test, headless Chromium sessions, the server on a socket, and
//! helpers that find controls the way a person does: by their label or their name.

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::harness::{self, TestApp};

/// Browser tests share two cores with the rest of the suite: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub const WAIT: Duration = Duration::from_secs(20);

/// The server on a socket, and a chromedriver to open browsers with.
pub struct Rig {
    pub app: TestApp,
    pub base: String,
    driver: Child,
    driver_url: String,
    /// Names this rig's browser profiles (`--user-data-dir`), to find its browsers.
    tag: String,
    browsers: std::sync::atomic::AtomicUsize,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A test that failed before closing its sessions leaves browsers that outlive
        // chromedriver: end those started with this rig's profiles, and the profiles.
        kill_processes_naming(&self.tag);
        let n = self.browsers.load(std::sync::atomic::Ordering::SeqCst);
        for i in 0..n {
            let _ = std::fs::remove_dir_all(self.profile(i));
        }
    }
}

fn kill_processes_naming(tag: &str) {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for p in procs.flatten() {
        let pid = p.file_name().to_string_lossy().to_string();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(tag) {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
    }
}

fn find_program(name: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub async fn rig() -> Rig {
    let turn = ONE_AT_A_TIME.lock().await;
    let (Some(driver), Some(_)) = (
        std::env::var("CHROMEDRIVER")
            .ok()
            .or_else(|| find_program("chromedriver")),
        find_program("chromium").or_else(|| find_program("chromium-browser")),
    ) else {
        panic!(
            "browser tests need Chromium and chromedriver on PATH: \
             `apt-get install -y chromium chromium-driver` (.ci/run installs them)"
        );
    };
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver_url = format!("http://127.0.0.1:{port}");
    wait_for_port(port).await;

    let app = harness::app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Rig {
        app,
        base,
        driver: child,
        driver_url,
        tag: format!("traveler-web-{}", uuid::Uuid::new_v4().simple()),
        browsers: std::sync::atomic::AtomicUsize::new(0),
        _turn: turn,
    }
}

async fn wait_for_port(port: u16) {
    let start = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(start.elapsed() < WAIT, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Rig {
    /// A new headless Chromium at tablet width (768 px). It can reach 127.0.0.1 only.
    fn profile(&self, i: usize) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("{}-{i}", self.tag))
    }

    pub async fn browser(&self) -> Client {
        let i = self
            .browsers
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let profile = format!("--user-data-dir={}", self.profile(i).display());
        let caps = json!({
            "goog:chromeOptions": {
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=768,1024", "--no-first-run", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update",
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", profile
                ]
            }
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.driver_url)
            .await
            .expect("open a Chromium session")
    }

    /// Opens the app and signs in with `key`.
    pub async fn signed_in(&self, key: &str) -> Client {
        let c = self.browser().await;
        c.goto(&format!("{}/", self.base)).await.unwrap();
        by_label(&c, "API key").await.send_keys(key).await.unwrap();
        button(&c, "Sign in").await.click().await.unwrap();
        wait_js(&c, "return !!document.querySelector('#nav button')").await;
        c
    }
}

/// Polls a JavaScript expression (a function body returning a truthy value) until it holds.
pub async fn wait_js(c: &Client, body: &str) -> Value {
    let start = Instant::now();
    loop {
        let v = c.execute(body, vec![]).await.unwrap_or(Value::Null);
        if !v.is_null() && v != json!(false) && v != json!("") {
            return v;
        }
        if start.elapsed() > WAIT {
            // Where the page is and which buttons wait on a request: what a flaky
            // failure needs to be read afterwards.
            let state = "return [location.hash, [...document.querySelectorAll('button:disabled')]
                .map(b => b.textContent).join(', '), document.body.innerText]";
            let s = c.execute(state, vec![]).await.unwrap_or_default();
            panic!(
                "timed out waiting for `{body}` at {}; disabled buttons: [{}]; the page says:\n{}",
                s[0], s[1], s[2]
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the page's text contains `text`.
pub async fn wait_text(c: &Client, text: &str) {
    let t = serde_json::to_string(text).unwrap();
    wait_js(c, &format!("return document.body.innerText.includes({t})")).await;
}

fn xpath_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', ""))
}

/// The control labelled `label` (a `<label for>` with exactly that text). Retried while
/// the page re-renders between finding the label and its control.
pub async fn by_label(c: &Client, label: &str) -> Element {
    let xpath = format!("//label[normalize-space(.)={}]", xpath_literal(label));
    let start = Instant::now();
    loop {
        if let Ok(l) = c.find(Locator::XPath(&xpath)).await
            && let Ok(Some(id)) = l.attr("for").await
            && let Ok(el) = c.find(Locator::Id(&id)).await
        {
            return el;
        }
        assert!(start.elapsed() < WAIT, "no control labelled {label:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The button or link whose accessible name is `name` (its text or its aria-label).
pub async fn button(c: &Client, name: &str) -> Element {
    let n = xpath_literal(name);
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//*[self::button or self::a][@aria-label={n} or (not(@aria-label) and normalize-space(.)={n})]"
        )))
        .await
        .unwrap_or_else(|e| panic!("no button named {name:?}: {e}"))
}

/// The text of the error shown at the control labelled `label` (aria-describedby).
pub async fn error_at(c: &Client, label: &str) -> String {
    let l = serde_json::to_string(label).unwrap();
    let js = format!(
        "const l = [...document.querySelectorAll('label')].find(x => x.textContent.trim() === {l});
         const el = l && document.getElementById(l.htmlFor);
         const err = el && el.getAttribute('aria-invalid') === 'true' &&
           document.getElementById(el.getAttribute('aria-describedby'));
         return err ? err.textContent : null;"
    );
    wait_js(c, &js).await.as_str().unwrap_or("").to_string()
}

/// Types `keys` into the control labelled `label`, finding it again if the page
/// re-rendered it (live updates replace the traveler's elements).
pub async fn type_into(c: &Client, label: &str, keys: &str) {
    let start = Instant::now();
    while by_label(c, label).await.send_keys(keys).await.is_err() {
        assert!(start.elapsed() < WAIT, "could not type into {label:?}");
    }
}

/// Chooses `value` in the select labelled `label`, finding it again if it was re-rendered.
pub async fn choose(c: &Client, label: &str, value: &str) {
    let start = Instant::now();
    while by_label(c, label)
        .await
        .select_by_value(value)
        .await
        .is_err()
    {
        assert!(
            start.elapsed() < WAIT,
            "could not choose {value:?} in {label:?}"
        );
    }
}

/// Clicks the button named `name`, finding it again if the page re-rendered it.
pub async fn click(c: &Client, name: &str) {
    let start = Instant::now();
    while button(c, name).await.click().await.is_err() {
        assert!(start.elapsed() < WAIT, "could not click {name:?}");
    }
}

/// Replaces a text box's content: select all, type, then Tab away (a change event).
pub const REPLACE: &str = "\u{E009}a\u{E000}";
pub const TAB: &str = "\u{E004}";

/// Every URL the page loaded came from the server itself.
pub async fn only_own_origin(c: &Client, base: &str) {
    let urls = c
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    for u in urls.as_array().unwrap() {
        let u = u.as_str().unwrap();
        assert!(u.starts_with(base), "the page loaded {u} from elsewhere");
    }
}

/// With `SCREENSHOTS=1`, saves the viewport as `docs/<name>.png`.
pub async fn screenshot(c: &Client, name: &str) {
    if std::env::var("SCREENSHOTS").is_err() {
        return;
    }
    let png = c.screenshot().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

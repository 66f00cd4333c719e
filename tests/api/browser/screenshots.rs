//! Screenshots of the page under test, for docs/ (`SCREENSHOTS=<dir>`): a full-page capture
//! through Chromium's DevTools protocol, not only what the screen shows.

use base64::Engine;
use serde_json::{json, Value};

use super::{Browser, PHONE};

impl Browser {
    /// With `SCREENSHOTS=<dir>`, the whole page (not only what the screen shows) as
    /// `<dir>/<name>.png`; otherwise nothing.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = &self.screenshots else {
            return;
        };
        std::fs::create_dir_all(dir).expect("the screenshot directory");
        let png = match self.full_page_png().await {
            Some(png) => png,
            None => self.session_command("GET", "/screenshot", None).await,
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("base64 PNG"))
            .expect("a PNG");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("write the screenshot");
        eprintln!("screenshot: {}", path.display());
    }

    /// A full-page capture through Chromium's DevTools protocol, which chromedriver forwards.
    async fn full_page_png(&self) -> Option<Value> {
        let cdp = format!("/session/{}/goog/cdp/execute", self.session);
        let height = self
            .eval("return document.documentElement.scrollHeight")
            .await;
        let height = height.as_f64().unwrap_or(f64::from(PHONE.1));
        let params = json!({
            "format": "png",
            "captureBeyondViewport": true,
            "clip": {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1},
        });
        self.command(
            "POST",
            &cdp,
            Some(json!({"cmd": "Page.captureScreenshot", "params": params})),
        )
        .await
        .ok()
        .map(|value| value["data"].clone())
    }
}

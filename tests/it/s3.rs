//! An S3-compatible object store on loopback for the storage tests: moto's server mode, from
//! PyPI, installed by `scripts/test` into `target/moto-venv`. Each test starts its own on a free
//! port and makes its own bucket; the process is killed however the test ends.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::notify::free_port;

pub struct S3Server {
    child: Child,
    pub port: u16,
}

impl S3Server {
    pub fn start() -> Self {
        let program = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/moto-venv/bin/moto_server");
        let port = free_port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{} does not start ({e}); scripts/test installs it",
                    program.display()
                )
            });
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the S3 server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        S3Server { child, port }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Makes the bucket `name` and answers the variables that point melding at it.
    pub async fn bucket(&self, name: &str) -> Vec<(&'static str, String)> {
        let response = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint()))
            .send()
            .await
            .expect("create bucket");
        assert!(
            response.status().is_success(),
            "bucket: {}",
            response.status()
        );
        vec![
            ("MELDING_S3_ENDPOINT", self.endpoint()),
            ("MELDING_S3_BUCKET", name.to_owned()),
            ("MELDING_S3_ACCESS_KEY_ID", "melding-test".to_owned()),
            (
                "MELDING_S3_SECRET_ACCESS_KEY",
                "melding-test-secret".to_owned(),
            ),
            ("MELDING_S3_PREFIX", "melding".to_owned()),
        ]
    }

    /// The keys of the objects in the bucket (as the S3 API lists them).
    pub async fn keys(&self, bucket: &str) -> Vec<String> {
        let listing = reqwest::Client::new()
            .get(format!("{}/{bucket}?list-type=2", self.endpoint()))
            .send()
            .await
            .expect("list")
            .text()
            .await
            .expect("listing");
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split_once("</Key>").map(|(k, _)| k.to_owned()))
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! Request counts and latencies in Prometheus' text format, served at /metrics.

use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];
const STATUS_CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

#[derive(Default)]
pub struct Metrics {
    by_status_class: [AtomicU64; 5],
    bucket_counts: [AtomicU64; 10],
    total_micros: AtomicU64,
    count: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, status: u16, elapsed: std::time::Duration) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_status_class[class].fetch_add(1, Ordering::Relaxed);
        let seconds = elapsed.as_secs_f64();
        for (bound, counter) in BUCKETS.iter().zip(&self.bucket_counts) {
            if seconds <= *bound {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.total_micros.fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut text = String::from(
            "# HELP tailor_http_requests_total HTTP requests answered, by status class.\n# TYPE tailor_http_requests_total counter\n",
        );
        for (class, counter) in STATUS_CLASSES.iter().zip(&self.by_status_class) {
            text.push_str(&format!(
                "tailor_http_requests_total{{status=\"{class}\"}} {}\n",
                counter.load(Ordering::Relaxed)
            ));
        }
        text.push_str("# HELP tailor_http_request_duration_seconds Time to answer HTTP requests.\n# TYPE tailor_http_request_duration_seconds histogram\n");
        for (bound, counter) in BUCKETS.iter().zip(&self.bucket_counts) {
            text.push_str(&format!(
                "tailor_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}\n",
                counter.load(Ordering::Relaxed)
            ));
        }
        let count = self.count.load(Ordering::Relaxed);
        text.push_str(&format!("tailor_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"));
        // Micros to seconds by formatting, not floating-point division, so the figure is exact.
        let micros = self.total_micros.load(Ordering::Relaxed);
        text.push_str(&format!(
            "tailor_http_request_duration_seconds_sum {}.{:06}\n",
            micros / 1_000_000,
            micros % 1_000_000
        ));
        text.push_str(&format!("tailor_http_request_duration_seconds_count {count}\n"));
        text
    }
}

pub async fn measure(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    state.metrics.observe(response.status().as_u16(), started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_buckets() {
        let metrics = Metrics::default();
        metrics.observe(200, std::time::Duration::from_millis(3));
        metrics.observe(404, std::time::Duration::from_millis(30));
        let text = metrics.render();
        assert!(text.contains("tailor_http_requests_total{status=\"2xx\"} 1"));
        assert!(text.contains("tailor_http_requests_total{status=\"4xx\"} 1"));
        assert!(text.contains("tailor_http_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("tailor_http_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("tailor_http_request_duration_seconds_sum 0.033000"));
    }
}

//! Request counts and latencies, by route, method and status class, in Prometheus' text format
//! at /metrics. The `metrics` crate records them; its Prometheus exporter renders them.
//!
//! Each `AppState` has a recorder of its own rather than the process-wide one, so that tests
//! (many routers in one process) never see each other's figures.

use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// The route a response came from, as written in the route table (`/people/{id}`), so that
/// every person's page counts as one route and no id reaches the metrics.
#[derive(Clone, Copy, Debug)]
pub struct RouteLabel(pub &'static str);

/// Upper bounds of the latency histogram buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        Metrics { recorder, handle }
    }
}

impl Metrics {
    pub fn observe(&self, route: &'static str, method: &str, status: u16, elapsed: std::time::Duration) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let method = method.to_owned();
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!("tailor_http_requests_total", "route" => route, "method" => method.clone(), "status" => class).increment(1);
            metrics::histogram!("tailor_http_request_duration_seconds", "route" => route, "method" => method).record(elapsed.as_secs_f64());
        });
    }

    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Marks a route's responses with the route they came from, for `measure`.
pub fn label_route(route: &'static str) -> impl Fn(Response) -> std::future::Ready<Response> + Clone {
    move |mut response: Response| {
        response.extensions_mut().insert(RouteLabel(route));
        std::future::ready(response)
    }
}

pub async fn measure(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map(|label| label.0)
        .unwrap_or("unmatched");
    state
        .metrics
        .observe(route, method.as_str(), response.status().as_u16(), started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_and_status_and_times_each_request() {
        let metrics = Metrics::default();
        metrics.observe("/people/{id}", "GET", 200, std::time::Duration::from_millis(3));
        metrics.observe("/people/{id}", "GET", 404, std::time::Duration::from_millis(30));
        let text = metrics.render();
        assert!(
            text.contains(r#"tailor_http_requests_total{route="/people/{id}",method="GET",status="2xx"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"status="4xx"} 1"#), "{text}");
        assert!(
            text.contains(r#"tailor_http_request_duration_seconds_bucket{route="/people/{id}",method="GET",le="0.005"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"tailor_http_request_duration_seconds_count{route="/people/{id}",method="GET"} 2"#),
            "{text}"
        );
    }
}

//! The HTTP server loop of the mocks: an axum router (or a service around
//! one) behind hyper with the limits a server left running for hours needs. A client has
//! [`HEADER_READ_TIMEOUT`] to send a request's header (a client trickling a
//! byte every few seconds is dropped), bodies are bounded by the router
//! (1 MiB, answered with 413), a badly framed body is answered with 400 by
//! the extractor that reads it, and every connection stops with the server.

use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;

/// How long a client may take to send a request's header.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until the task running it is dropped or aborted.
pub async fn serve<S>(listener: tokio::net::TcpListener, app: S)
where
    S: tower_service::Service<
            axum::extract::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    // Connections end with the server: each is a child of this set.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: wait, then go on.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let builder = builder.clone();
        connections.spawn(async move {
            let _ = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await;
        });
        // Reap finished connections so the set stays as large as the live ones.
        while connections.try_join_next().is_some() {}
    }
}

//! A run's artifacts: listed on its page with size and sha256, and each
//! zip archive downloaded as stored (streamed, never read whole).

use super::error::PageError;
use super::html::{escape, query_value, secure};
use super::server::UiState;
use crate::artifacts::{list, ArtifactInfo};
use crate::store::run_dir;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::Response;
use std::fmt::Write;

/// The artifacts table of a run; empty without artifacts.
pub fn table(run: i64, artifacts: &[ArtifactInfo]) -> String {
    if artifacts.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<h2>Artifacts</h2><table class=\"artifacts\"><thead><tr><th>name</th><th>files</th><th>size</th>\
         <th>sha256</th><th>created</th></tr></thead><tbody>",
    );
    for a in artifacts {
        let _ = write!(
            out,
            "<tr><td><a href=\"/runs/{run}/artifacts/{}\" download>{}</a></td><td>{}</td><td>{}</td>\
             <td><code>{}</code></td><td>{}</td></tr>",
            query_value(&a.name),
            escape(&a.name),
            a.files,
            a.size,
            escape(&a.sha256),
            escape(&super::html::time(&a.created))
        );
    }
    out.push_str("</tbody></table>");
    out
}

pub async fn download(
    State(state): State<UiState>,
    Path((id, name)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let dir = run_dir(&state.store, id);
    let listed = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || list(&dir))
            .await
            .map_err(|e| PageError::internal(&e))?
            .map_err(PageError::text)?
    };
    // Only a listed name is opened: the name never becomes a path by itself.
    let Some(artifact) = listed.into_iter().find(|a| a.name == name) else {
        return Err(PageError::not_found(format!("run {id} has no artifact `{name}`")));
    };
    let path = dir.join("artifacts").join(format!("{}.zip", artifact.name));
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| PageError::internal(&e))?;
    let length = file.metadata().await.map_err(|e| PageError::internal(&e))?.len();
    let mut response = Response::new(Body::from_stream(tokio_util::io::ReaderStream::new(file)));
    let headers = response.headers_mut();
    secure(headers);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    let disposition = format!("attachment; filename=\"{}.zip\"", query_value(&artifact.name));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

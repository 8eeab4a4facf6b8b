//! `mlci ui`: the web view of a run store (docs/ui.md), read-only, on
//! loopback by default. Off loopback it needs a token, as the daemon's API
//! does: from the variable `MLCI_UI_TOKEN`.

use super::stored::StoreArg;
use crate::exit;
use crate::ui::{serve, UiState, UiToken};
use std::io::Write;
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

/// The variable a token comes from when listening off loopback.
const TOKEN_VAR: &str = "MLCI_UI_TOKEN";

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// The address to serve on (port 0: any free port, printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// Open the page in the desktop's browser (xdg-open).
    #[arg(long)]
    open: bool,
}

pub fn run(args: Args) -> i32 {
    let dir = args.store.dir();
    let token = std::env::var(TOKEN_VAR)
        .ok()
        .filter(|t| !t.is_empty())
        .map(UiToken::new);
    if !args.listen.ip().is_loopback() && token.is_none() {
        eprintln!(
            "error: {} is not a loopback address, so the pages need a token: set {TOKEN_VAR}",
            args.listen
        );
        return exit::USAGE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return exit::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("failed to listen on {}: {e}", args.listen))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let url = format!("http://{address}/");
        println!("mlci ui: {url} (store {}; Ctrl-C stops)", dir.display());
        let _ = std::io::stdout().flush();
        if args.open {
            if let Err(e) = std::process::Command::new("xdg-open").arg(&url).spawn() {
                eprintln!("warning: could not open a browser ({e}); open {url}");
            }
        }
        let stop = CancellationToken::new();
        let on_signal = stop.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            on_signal.cancel();
        });
        serve(listener, UiState::new(dir.clone(), token), stop)
            .await
            .map_err(|e| format!("the web view stopped: {e}"))
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => exit::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            exit::FAILURE
        }
    }
}

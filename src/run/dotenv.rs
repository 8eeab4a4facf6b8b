//! dotenv files for `--secret-file` (stub).

pub fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, String> {
    let _ = text;
    Err("not yet".into())
}
